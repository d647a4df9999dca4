package dev.kiln.cli;

import dev.kiln.core.io.Manifest;
import dev.kiln.data.Corpus;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.shard.FimMode;
import dev.kiln.tokenize.shard.TokenShardWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenize}: documents → packed Arrow token shards for training. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Tokenize documents (a dataset from llm data run, JSONL, source dirs, archives) into packed"
                + " training rows (Arrow IPC shards + manifest.json).")
final class TokenizeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tokenizer", required = true, description = "A tokenizer.json.")
    Path tokenizer;

    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            description =
                    "Inputs as llm data run reads them: dataset dirs (part-*.jsonl), JSONL, source dirs, archives, sources jars.")
    List<Path> inputs;

    @Option(names = "--output", required = true, description = "The shards directory.")
    Path output;

    @Option(names = "--seq-len", required = true, description = "Model context length (rows hold seq-len + 1 tokens).")
    int seqLen;

    @Option(
            names = "--fim-rate",
            defaultValue = "0",
            description = "Fraction of documents given the FIM transformation.")
    double fimRate;

    @Option(names = "--fim-mode", defaultValue = "psm", description = "psm, spm or both (default ${DEFAULT-VALUE}).")
    String fimMode;

    @Option(
            names = "--val-fraction",
            defaultValue = "0",
            description = "Fraction of documents held out for validation.")
    double valFraction;

    @Option(names = "--mixture", description = "Language weights, e.g. java=0.5,python=0.5.")
    String mixture;

    @Option(names = "--max-tokens", description = "Token budget.")
    Long maxTokens;

    @Option(names = "--seed", defaultValue = "42", description = "Shuffle and FIM seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--metadata-prefix", description = "Prefix documents with <reponame>repo<filename>path.")
    boolean metadataPrefix;

    @Option(
            names = "--format",
            defaultValue = "arrow",
            description =
                    "arrow (Kiln's shards, default) or megatron: the Arrow shards plus each split as Megatron-LM's"
                            + " indexed dataset (OUTPUT/megatron/<split>_text_document.bin + .idx) for Megatron-LM, NeMo, GPT-NeoX.")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("arrow") && !format.equals("megatron")) {
            throw new IllegalArgumentException("unknown --format '" + format + "' (use arrow or megatron)");
        }
        TokenShardWriter.Builder b = TokenShardWriter.builder()
                .setTokenizer(BpeTokenizer.load(tokenizer))
                .setOutput(output)
                .setSeqLen(seqLen)
                .optFim(fimRate, FimMode.parse(fimMode))
                .optValFraction(valFraction)
                .optSeed(seed)
                .optMetadataPrefix(metadataPrefix)
                .optInputs(inputs.stream().map(Path::toString).collect(Collectors.toList()));
        if (mixture != null) {
            b.optMixture(parseMixture(mixture));
        }
        if (maxTokens != null) {
            b.optMaxTokens(maxTokens);
        }
        Manifest m;
        try {
            m = b.build().write(Corpus.from(inputs.toArray(new Path[0])));
        } catch (IllegalArgumentException e) {
            // an input that yields nothing: say why (a second pass only in this case, over nothing kept)
            if (e.getMessage() != null && e.getMessage().startsWith("no documents to tokenize")) {
                var why = Corpus.from(inputs.toArray(new Path[0]))
                        .optProgress(dev.kiln.core.progress.ProgressSink.none())
                        .report()
                        .whyEmpty();
                if (why.isPresent()) {
                    throw new IllegalArgumentException("no documents to tokenize: " + why.get(), e);
                }
            }
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "wrote %s: %d train rows, %d val rows of %d tokens from %d documents%n",
                output,
                m.counts().get("train_rows"),
                m.counts().get("val_rows"),
                seqLen + 1,
                m.counts().get("selected_documents"));
        if (format.equals("megatron")) {
            for (String split : new String[] {"train", "val"}) {
                var r = dev.kiln.tokenize.shard.MegatronDataset.export(
                        output, split, output.resolve("megatron").resolve(split + "_text_document"));
                out.printf("wrote %s and %s: %d sequences, %d tokens%n", r.bin(), r.idx(), r.sequences(), r.tokens());
            }
        }
        out.flush();
        return 0;
    }

    static Map<String, Double> parseMixture(String s) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(
                        "--mixture '" + s + "': expected language=weight[,language=weight...]");
            }
            try {
                m.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mixture '" + s + "': '" + kv[1] + "' is not a number");
            }
        }
        return m;
    }
}
