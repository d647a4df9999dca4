package dev.kiln.cli;

import dev.kiln.data.Corpus;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenizer train|encode}: train a byte-level BPE tokenizer, encode a file with one. */
@Command(
        name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer (Hugging Face tokenizer.json) or encode text with one.",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a tokenizer on text files.")
    static final class Train implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--input",
                required = true,
                arity = "1..*",
                description =
                        "Inputs as llm data run reads them: dataset dirs (part-*.jsonl), JSONL, source dirs, archives, sources jars.")
        List<Path> inputs;

        @Option(
                names = "--vocab-size",
                required = true,
                description = "Vocabulary size, counting the 256 bytes and the special tokens.")
        int vocabSize;

        @Option(names = "--output", required = true, description = "Where to write tokenizer.json.")
        Path output;

        @Option(
                names = "--min-frequency",
                defaultValue = "2",
                description = "Minimum pair count to merge (default ${DEFAULT-VALUE}).")
        long minFrequency;

        @Option(
                names = "--pre-tokenizer",
                defaultValue = "code",
                description = "code (single digits, StarCoder) or gpt2 (default ${DEFAULT-VALUE}).")
        String preTokenizer;

        @Option(names = "--threads", description = "Word-counting threads (default: all cores).")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            BpeTrainer.Builder b = BpeTrainer.builder()
                    .setVocabSize(vocabSize)
                    .optMinFrequency(minFrequency)
                    .optPreTokenizer(PreTokenizer.byName(preTokenizer));
            if (threads != null) {
                b.optThreads(threads);
            }
            long start = System.nanoTime();
            BpeTokenizer tok = b.build().train(Corpus.from(inputs.toArray(new Path[0])));
            tok.save(output);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    "wrote %s: %d ids (%d merges, %s pre-tokenizer) in %.1f s%n",
                    output,
                    tok.vocabSize(),
                    tok.mergeCount(),
                    tok.preTokenizer().name(),
                    (System.nanoTime() - start) / 1e9);
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "encode",
            mixinStandardHelpOptions = true,
            description = "Encode a file's whole content; writes the ids as one JSON array.")
    static final class Encode implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--tokenizer", required = true, description = "A tokenizer.json.")
        Path tokenizer;

        @Option(names = "--text-file", required = true, description = "UTF-8 text to encode.")
        Path textFile;

        @Option(names = "--output", description = "Write the JSON array here instead of standard output.")
        Path output;

        @Override
        public Integer call() throws Exception {
            BpeTokenizer tok = BpeTokenizer.load(tokenizer);
            int[] ids = tok.encode(Files.readString(textFile, StandardCharsets.UTF_8));
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
