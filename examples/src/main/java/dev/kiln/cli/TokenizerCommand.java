package dev.kiln.cli;

import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.data.Corpus;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import dev.kiln.tokenize.TextFiles;
import dev.kiln.tokenize.TokenizerFiles;
import dev.kiln.tokenize.UnigramTokenizer;
import dev.kiln.tokenize.UnigramTrainer;
import dev.kiln.tokenize.corpus.CorpusTexts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenizer train|encode}: train a BPE or Unigram tokenizer, encode a file with one. */
@Command(
        name = "tokenizer",
        mixinStandardHelpOptions = true,
        description =
                "Train a byte-level BPE or Unigram tokenizer (Hugging Face tokenizer.json) or encode text with one.",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand extends CommandGroup {

    /** Inputs read as a Corpus: directories and the corpus formats; everything else is a plain text file. */
    static boolean isCorpusInput(Path p) {
        if (Files.isDirectory(p)) {
            return true;
        }
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        for (String ext : new String[] {
            ".jsonl",
            ".jsonl.gz",
            ".jsonl.zst",
            ".jsonl.xz",
            ".parquet",
            ".zip",
            ".jar",
            ".tar",
            ".tar.gz",
            ".tgz",
            ".tar.zst",
            ".tar.xz",
            ".tar.bz2"
        }) {
            if (n.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = {
                "Train a tokenizer. Plain text files of any size are streamed line by line (as Hugging Face's trainer"
                        + " reads them); directories, dataset dirs, JSONL, Parquet, archives and sources jars are read"
                        + " as llm data run reads them. What is skipped is counted and named."
            })
    static final class Train implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--input",
                required = true,
                arity = "1..*",
                description = "Plain text files, or corpus inputs (directories, dataset dirs, JSONL, Parquet, archives,"
                        + " sources jars); one kind per run.")
        List<Path> inputs;

        @Option(
                names = "--model",
                defaultValue = "bpe",
                description = "bpe (byte-level BPE) or unigram (SentencePiece-style, byte fallback)"
                        + " (default ${DEFAULT-VALUE}).")
        String model;

        @Option(
                names = "--vocab-size",
                required = true,
                description =
                        "Vocabulary size, counting the byte tokens and the special tokens (and <unk> for unigram).")
        int vocabSize;

        @Option(names = "--output", required = true, description = "Where to write tokenizer.json.")
        Path output;

        @Option(
                names = "--min-frequency",
                defaultValue = "2",
                description = "BPE: minimum pair count to merge (default ${DEFAULT-VALUE}).")
        long minFrequency;

        @Option(
                names = "--pre-tokenizer",
                defaultValue = "code",
                description = "BPE: code (single digits, StarCoder) or gpt2 (default ${DEFAULT-VALUE}).")
        String preTokenizer;

        @Option(names = "--threads", description = "Training threads (default: all cores).")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            if (!"bpe".equals(model) && !"unigram".equals(model)) {
                throw new IllegalArgumentException("--model '" + model + "' is not bpe or unigram");
            }
            long corpusInputs =
                    inputs.stream().filter(TokenizerCommand::isCorpusInput).count();
            if (corpusInputs > 0 && corpusInputs < inputs.size()) {
                throw new IllegalArgumentException(
                        "--input mixes plain text files and corpus inputs " + inputs + "; train on one kind per run");
            }
            Function<Iterable<String>, Tokenizer> texts;
            TextFilesTrainer files;
            if ("bpe".equals(model)) {
                BpeTrainer.Builder b = BpeTrainer.builder()
                        .setVocabSize(vocabSize)
                        .optMinFrequency(minFrequency)
                        .optPreTokenizer(PreTokenizer.byName(preTokenizer));
                if (threads != null) {
                    b.optThreads(threads);
                }
                BpeTrainer t = b.build();
                texts = t::trainTexts;
                files = t::trainFiles;
            } else {
                UnigramTrainer.Builder b = UnigramTrainer.builder().setVocabSize(vocabSize);
                if (threads != null) {
                    b.optThreads(threads);
                }
                UnigramTrainer t = b.build();
                texts = t::trainTexts;
                files = t::trainFiles;
            }
            long start = System.nanoTime();
            PrintWriter out = spec.commandLine().getOut();
            Tokenizer tok;
            String read;
            if (corpusInputs > 0) {
                try (CorpusTexts docs = CorpusTexts.open(Corpus.from(inputs.toArray(new Path[0])))) {
                    try {
                        tok = texts.apply(docs);
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(e.getMessage() + ": " + docs.summary(), e);
                    }
                    read = docs.summary();
                }
            } else {
                TextFiles in = TextFiles.of(inputs);
                tok = files.train(in);
                read = in.summary();
            }
            if (tok instanceof BpeTokenizer) {
                ((BpeTokenizer) tok).save(output);
            } else {
                ((UnigramTokenizer) tok).save(output);
            }
            out.printf("%s%n", read);
            out.printf(
                    "wrote %s: %s tokenizer, %d ids in %.1f s%n",
                    output, model, tok.vocabSize(), (System.nanoTime() - start) / 1e9);
            out.flush();
            return 0;
        }
    }

    /** Training on text files (both trainers have it). */
    interface TextFilesTrainer {
        Tokenizer train(TextFiles files) throws IOException;
    }

    @Command(
            name = "encode",
            mixinStandardHelpOptions = true,
            description = "Encode a file's whole content; writes the ids as one JSON array, or with --count only the"
                    + " number of tokens and tokens/s.")
    static final class Encode implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--tokenizer", required = true, description = "A tokenizer.json (BPE or Unigram).")
        Path tokenizer;

        @Option(names = "--text-file", required = true, description = "UTF-8 text to encode.")
        Path textFile;

        @Option(names = "--output", description = "Write the JSON array here instead of standard output.")
        Path output;

        @Option(
                names = "--count",
                description = "Print the number of tokens, chars and tokens/s (encoding only, reading excluded)"
                        + " instead of the ids.")
        boolean count;

        @Override
        public Integer call() throws Exception {
            Tokenizer tok = TokenizerFiles.load(tokenizer);
            String text = Files.readString(textFile, StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            int[] ids = tok.encode(text);
            double secs = (System.nanoTime() - t0) / 1e9;
            if (count) {
                PrintWriter out = spec.commandLine().getOut();
                out.printf(
                        java.util.Locale.ROOT,
                        "%d tokens, %d chars (%.2f chars/token) in %.3f s: %.0f tokens/s%n",
                        ids.length,
                        text.length(),
                        ids.length == 0 ? 0.0 : (double) text.length() / ids.length,
                        secs,
                        secs > 0 ? ids.length / secs : 0.0);
                out.flush();
                return 0;
            }
            StringBuilder sb = new StringBuilder(ids.length * 6 + 2).append('[');
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(ids[i]);
            }
            sb.append("]\n");
            if (output != null) {
                dev.kiln.core.io.AtomicFiles.writeString(output, sb.toString());
            } else {
                PrintWriter out = spec.commandLine().getOut();
                out.print(sb);
                out.flush();
            }
            return 0;
        }
    }
}
