package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {

    @Test
    void yamlWithOverridesTrainsAndResumes(@TempDir Path dir) throws Exception {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            code.append("for (int i = 0; i < ").append(i).append("; i++) { sum += i; }\n");
        }
        Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(dir.resolve("corpus/A.java"), code);
        Path yaml = dir.resolve("run.yaml");
        Files.writeString(yaml, """
                model: {vocab_size: 263, context_length: 32, d_model: 32, heads: 2, layers: 1}
                data: {train: corpus, seq_len: 32, batch_size: 4}
                optimizer: {lr: 3.0e-3}
                scheduler: {warmup_steps: 2}
                max_steps: 6
                eval_interval: 3
                save_interval: 3
                save_folder: out/checkpoints
                """);
        TrainConfig c = TrainConfig.load(yaml, List.of("max_steps=8", "optimizer.grad_clip=0.5"));
        assertThat(c.getInt("max_steps")).isEqualTo(8);
        assertThat(c.getDouble("optimizer.grad_clip")).isEqualTo(0.5);
        TrainResult r = TrainRun.run(c, true);
        assertThat(r.steps()).isEqualTo(8);
        assertThat(dir.resolve("out/metrics.jsonl")).exists();
        assertThat(dir.resolve("out/report.html")).exists();
        TrainResult again = TrainRun.run(TrainConfig.load(yaml, List.of("max_steps=10")), true);
        assertThat(again.resumedFrom()).isEqualTo(8);
        assertThat(again.steps()).isEqualTo(10);
    }

    @Test
    void unknownAndMistypedKeysAreRejectedListingValidKeys(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "optimizer: {learning_rate: 0.1}\n");
        assertThatThrownBy(() -> TrainConfig.load(yaml, List.of()))
                .hasMessageContaining("unknown config key 'optimizer.learning_rate'")
                .hasMessageContaining("optimizer.lr");
        Files.writeString(yaml, "max_steps: lots\n");
        assertThatThrownBy(() -> TrainConfig.load(yaml, List.of()))
                .hasMessageContaining("'max_steps'")
                .hasMessageContaining("lots");
        Files.writeString(yaml, "seed: 1\n");
        assertThatThrownBy(() -> TrainConfig.load(yaml, List.of("modle.layers=3")))
                .hasMessageContaining("modle.layers");
    }

    @Test
    void aLinkedCorpusDirectoryIsRead(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("disk/corpus/sub"));
        Files.writeString(dir.resolve("disk/corpus/sub/A.java"), "class A {}\n");
        Files.createSymbolicLink(dir.resolve("corpus"), dir.resolve("disk/corpus"));
        Files.createSymbolicLink(dir.resolve("disk/corpus/linked"), dir.resolve("disk/corpus/sub"));
        int[] ids = TrainRun.encodeAll(dev.kiln.core.tokenizer.ByteTokenizer.withCodeSpecials(), dir.resolve("corpus"));
        // "class A {}\n" twice (through the directory and through the inner link), each + end-of-text
        assertThat(ids).hasSize(2 * 12);
    }

    @Test
    void referencePageIsUpToDate() throws Exception {
        Path page = Path.of("CONFIG.md");
        assertThat(Files.readString(page))
                .as("llm-train/CONFIG.md is stale: run TrainConfig.main")
                .isEqualTo(TrainConfig.referenceMarkdown());
    }
}
