package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.hf.HfModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitFromTest {

    static void corpus(Path dir) throws Exception {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            code.append("for (int i = 0; i < ")
                    .append(i)
                    .append("; i++) { sum += i * ")
                    .append(i % 7)
                    .append("; }\n");
        }
        Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(dir.resolve("corpus/A.java"), code);
    }

    /** The loss of {@code model} on the first batch a run with this data, batch size and seed draws. */
    static double firstBatchLoss(GptModel model, Path corpus, int seqLen, int batch, long seed) throws Exception {
        int[] tokens = TrainRun.encodeAll(ByteTokenizer.withCodeSpecials(), corpus);
        int cut = (int) (tokens.length * (1 - 0.05));
        try (DataLoader loader =
                        new DataLoader(new InMemorySequences(Arrays.copyOf(tokens, cut), seqLen), batch, seed);
                NDManager m = model.manager().newSubManager()) {
            DataLoader.Batch b = loader.next();
            Shape s = new Shape(batch, seqLen);
            return model.loss(m.create(b.inputs(), s), m.create(b.targets(), s), false)
                    .getFloat();
        }
    }

    @Test
    void fineTuneStartsFromKilnAndHuggingFaceWeightsWithTheirLoss(@TempDir Path dir) throws Exception {
        corpus(dir);
        Files.writeString(dir.resolve("base.yaml"), """
                model: {arch: llama, vocab_size: 263, context_length: 32, d_model: 32, heads: 4, kv_heads: 2, layers: 2}
                data: {train: corpus, seq_len: 32, batch_size: 4}
                optimizer: {lr: 3.0e-3}
                scheduler: {warmup_steps: 2}
                max_steps: 12
                eval_interval: 0
                save_folder: base/checkpoints
                metrics: {sinks: jsonl}
                """);
        TrainRun.run(TrainConfig.load(dir.resolve("base.yaml"), List.of()), true);
        HfModels.export(dir.resolve("base/checkpoints/step-000012"), dir.resolve("hf"));

        for (String source : List.of("base/checkpoints", "hf")) {
            Path run = dir.resolve("ft-" + source.replace('/', '-'));
            Files.writeString(dir.resolve("ft.yaml"), """
                    init_from: %s
                    data: {train: corpus, seq_len: 32, batch_size: 4}
                    optimizer: {lr: 1.0e-4}
                    scheduler: {warmup_steps: 1}
                    max_steps: 1
                    eval_interval: 0
                    seed: 7
                    save_folder: %s/checkpoints
                    metrics: {sinks: jsonl}
                    """.formatted(source, run.getFileName()));
            TrainResult r = TrainRun.run(TrainConfig.load(dir.resolve("ft.yaml"), List.of()), true);
            double expected;
            try (GptModel base = ModelDir.read(dir.resolve("base/checkpoints/step-000012"), ai.djl.Device.cpu())
                    .model()) {
                expected = firstBatchLoss(base, dir.resolve("corpus"), 32, 4, 7);
                assertThat(ModelDir.readConfig(run.resolve("checkpoints/step-000001")))
                        .isEqualTo(base.config());
            }
            assertThat(r.lastLoss())
                    .as("first step's loss from %s", source)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            // Well below a fresh model's ≈ ln(263) = 5.57: the trained weights were really loaded.
            assertThat(r.lastLoss()).isLessThan(Math.log(263) - 0.7);
        }
    }

    @Test
    void modelKeysThatDisagreeWithTheSourceAreAClearError(@TempDir Path dir) throws Exception {
        corpus(dir);
        Path hf = dir.resolve("hf");
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(263)
                .setContextLength(32)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(2)
                .build();
        try (GptModel m = GptModel.create(cfg, 1, ai.djl.Device.cpu())) {
            HfModels.export(m, ByteTokenizer.withCodeSpecials(), hf);
        }
        Files.writeString(dir.resolve("ft.yaml"), """
                init_from: hf
                model: {d_model: 64, kv_heads: 2, dropout: 0.1}
                data: {train: corpus, seq_len: 32, batch_size: 4}
                scheduler: {warmup_steps: 1}
                max_steps: 1
                """);
        assertThatThrownBy(() -> TrainRun.trainer(TrainConfig.load(dir.resolve("ft.yaml"), List.of()), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.d_model = 64 (the source has 32)")
                .hasMessageNotContaining("kv_heads")
                .hasMessageNotContaining("dropout");
        Files.writeString(dir.resolve("ok.yaml"), """
                init_from: hf
                model: {kv_heads: 2, dropout: 0.1}
                data: {train: corpus, seq_len: 32, batch_size: 4}
                scheduler: {warmup_steps: 1}
                max_steps: 1
                save_folder: ok/checkpoints
                """);
        try (Trainer t = TrainRun.trainer(TrainConfig.load(dir.resolve("ok.yaml"), List.of()), true)) {
            assertThat(t).isNotNull();
        }
        Files.writeString(dir.resolve("missing.yaml"), "init_from: nowhere\ndata: {train: corpus}\n");
        assertThatThrownBy(() -> TrainRun.trainer(TrainConfig.load(dir.resolve("missing.yaml"), List.of()), true))
                .hasMessageContaining("nowhere");
    }
}
