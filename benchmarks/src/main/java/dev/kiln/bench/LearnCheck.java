package dev.kiln.bench;

import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.generate.GptLanguageModel;
import dev.kiln.train.metrics.BuiltinSinks;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Learning check: trains a byte-level GPT on Java sources from the JDK's {@code lib/src.zip}
 * ({@code java.base/java/util/}, up to 3 MB), then reports the validation loss against the unigram
 * entropy of the validation tokens (bar: loss ≤ 0.7 × entropy) and a greedy sample.
 *
 * <pre>
 * benchmarks/compare/learn-check.sh [--steps 600] [--d-model 128] [--layers 3] [--seq-len 128] [--batch 16]
 * </pre>
 */
@Command(
        name = "LearnCheck",
        mixinStandardHelpOptions = true,
        description = "Trains a byte-level GPT on java.util sources of the JDK's src.zip; prints validation"
                + " loss against the unigram entropy (bar: ratio <= 0.7) and a greedy sample.")
public final class LearnCheck implements Callable<Integer> {

    @Option(names = "--steps", defaultValue = "600", description = "training steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--d-model", defaultValue = "128", description = "model width, 4 heads (default: ${DEFAULT-VALUE})")
    int dModel;

    @Option(names = "--layers", defaultValue = "3", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--seq-len", defaultValue = "128", description = "context length T (default: ${DEFAULT-VALUE})")
    int t;

    @Option(names = "--batch", defaultValue = "16", description = "sequences per step B (default: ${DEFAULT-VALUE})")
    int batch;

    public static void main(String[] args) {
        BenchCli.run(new LearnCheck(), args);
    }

    @Override
    public Integer call() throws Exception {
        Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        ByteArrayOutputStream corpus = new ByteArrayOutputStream();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            var entries = z.stream()
                    .filter(e -> e.getName().startsWith("java.base/java/util/")
                            && e.getName().endsWith(".java"))
                    .sorted(java.util.Comparator.comparing(ZipEntry::getName))
                    .toList();
            for (ZipEntry e : entries) {
                if (corpus.size() > 3_000_000) {
                    break;
                }
                try (InputStream in = z.getInputStream(e)) {
                    corpus.write(in.readAllBytes());
                    corpus.write("<|endoftext|>".getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
        int[] ids = tok.encode(corpus.toString(StandardCharsets.UTF_8));
        int cut = ids.length * 95 / 100;
        int[] val = Arrays.copyOfRange(ids, cut, ids.length);
        long[] counts = new long[tok.vocabSize()];
        for (int id : val) {
            counts[id]++;
        }
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / val.length;
                entropy -= p * Math.log(p);
            }
        }
        GptConfig cfg = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(tok.vocabSize())
                .setContextLength(t)
                .optDModel(dModel)
                .optHeads(4)
                .optLayers(layers)
                .build();
        TrainResult r;
        String sample;
        try (Trainer trainer = Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(tok)
                .setTrainData(new InMemorySequences(Arrays.copyOfRange(ids, 0, cut), t))
                .optValData(new InMemorySequences(val, t))
                .optBatchSize(batch)
                .optMaxSteps(steps)
                .optLearningRate(3e-3)
                .optMinLearningRate(3e-4)
                .optWarmupSteps(Math.min(50, steps / 10))
                .optEvalInterval(100)
                .optEvalBatches(10)
                .optThreads(1, 1)
                .optMetricsSink(new BuiltinSinks.Console(50))
                .build()) {
            r = trainer.fit();
            GptLanguageModel lm = new GptLanguageModel(trainer.model(), tok, "learn-check", false);
            sample = lm.generate(GenerationRequest.builder()
                            .setPrompt("    public static int ")
                            .optMaxTokens(120)
                            .build())
                    .collect()
                    .text();
        }
        System.out.println(String.format(
                Locale.ROOT,
                "{\"corpus_bytes\": %d, \"val_tokens\": %d, \"unigram_entropy_nats\": %.4f, \"val_loss\": %.4f,"
                        + " \"ratio\": %.3f, \"steps\": %d, \"median_step_ms\": %.1f, \"model\": \"%s\"}",
                corpus.size(),
                val.length,
                entropy,
                r.lastValLoss(),
                r.lastValLoss() / entropy,
                r.steps(),
                r.medianStepMillis(),
                cfg.toMap() + " T=" + t + " B=" + batch));
        System.out.println("sample (greedy, prompt '    public static int '):\n    public static int " + sample);
        return 0;
    }
}
