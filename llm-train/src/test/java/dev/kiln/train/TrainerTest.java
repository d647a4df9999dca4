package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.metrics.BuiltinSinks;
import dev.kiln.train.metrics.MetricsSinkProvider;
import dev.kiln.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @Test
    void lossFallsAndArtifactsAreWritten(@TempDir Path dir) throws Exception {
        List<Double> losses = new ArrayList<>();
        List<Integer> arrays = new ArrayList<>();
        Path folder = dir.resolve("ckpt");
        int[] tokens = TrainChild.corpus();
        int cut = tokens.length * 9 / 10;
        try (Trainer t = TrainChild.builder(folder, 40)
                .optValData(new InMemorySequences(Arrays.copyOfRange(tokens, cut, tokens.length), 16))
                .optEvalInterval(20)
                .optSaveInterval(10)
                .optKeepLast(2)
                .optPeakFlops(1e11)
                .optMetricsSink(m -> {
                    losses.add(m.loss());
                    arrays.add(m.nativeArrays());
                })
                .optMetricsSink(MetricsSinkProvider.open("jsonl", dir, Map.of()))
                .optMetricsSink(MetricsSinkProvider.open("html", dir, Map.of()))
                .optMetricsSink(new BuiltinSinks.Console(10))
                .build()) {
            int arraysBefore = t.model().manager().getManagedArrays().size();
            TrainResult r = t.fit();
            assertThat(r.steps()).isEqualTo(40);
            assertThat(r.lastValLoss()).isLessThan(Math.log(TrainChild.TOK.vocabSize()) * 0.7);
            // Per-step scopes free everything: the model's scope holds the same arrays throughout.
            assertThat(t.model().manager().getManagedArrays().size()).isEqualTo(arraysBefore);
            assertThat(new java.util.HashSet<>(arrays)).containsExactly(arraysBefore);
        }
        assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) - 1.0);
        assertThat(Checkpoints.list(folder))
                .extracting(p -> p.getFileName().toString())
                .containsExactly("step-000040", "step-000030");
        assertThat(Files.readString(folder.resolve("latest")).trim()).isEqualTo("step-000040");
        Path last = folder.resolve("step-000040");
        assertThat(last.resolve("config.json")).exists();
        assertThat(last.resolve("optimizer.bin")).exists();
        assertThat(Files.readString(last.resolve("state.json"))).contains("\"step\" : 40", "tokenizer_sha256", "epoch");
        assertThat(Files.readString(last.resolve("manifest.json"))).contains("provenance", "crc32");
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl")))
                .hasSize(42)
                .anySatisfy(l -> assertThat(l).contains("val_loss"))
                .anySatisfy(l -> assertThat(l).contains("\"mfu\""));
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg", "polyline");
    }

    @Test
    void divergenceStopsWithClearMessageKeepingLastCheckpoint(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("ckpt");
        try (Trainer t = TrainChild.builder(folder, 5).optSaveInterval(2).build()) {
            t.fit();
        }
        try (Trainer t = TrainChild.builder(folder, 30)
                .optLearningRate(1e38)
                .optWarmupSteps(0)
                .optMinLearningRate(1e38)
                .optGradClip(0)
                .build()) {
            assertThatThrownBy(t::fit)
                    .isInstanceOf(TrainingDivergedException.class)
                    .hasMessageContaining("diverged at step")
                    .hasMessageContaining("step-000005");
        }
        assertThat(Checkpoints.newestValid(folder))
                .hasValueSatisfying(p -> assertThat(p.getFileName().toString()).isEqualTo("step-000005"));
    }

    @Test
    void badInputIsRejectedClearly() {
        InMemorySequences data = new InMemorySequences(TrainChild.corpus(), 16);
        GptConfig small =
                GptConfig.builder().setVocabSize(100).setContextLength(16).build();
        assertThatThrownBy(() -> Trainer.builder()
                        .setModelConfig(small)
                        .setTokenizer(TrainChild.TOK)
                        .setTrainData(data)
                        .build())
                .hasMessageContaining("vocab_size is 100");
        GptConfig longCtx =
                GptConfig.builder().setVocabSize(263).setContextLength(64).build();
        assertThatThrownBy(() -> Trainer.builder()
                        .setModelConfig(longCtx)
                        .setTokenizer(TrainChild.TOK)
                        .setTrainData(data)
                        .build())
                .hasMessageContaining("context_length 64");
        assertThatThrownBy(() -> Trainer.builder().optBatchSize(0)).hasMessageContaining("0");
    }

    @Test
    void changingTheBuilderAfterBuildDoesNotChangeTheTrainer() throws Exception {
        List<Long> steps = new ArrayList<>();
        Trainer.Builder b = TrainChild.builder(null, 3).optMetricsSink(m -> steps.add(m.step()));
        try (Trainer t = b.build()) {
            b.optMaxSteps(6).optEvalInterval(1).optMetricsSink(m -> steps.add(-1L));
            assertThat(t.fit().steps()).isEqualTo(3);
        }
        assertThat(steps).containsExactly(1L, 2L, 3L);
    }

    @Test
    void scheduleAndLoaderState() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 110);
        assertThat(s.at(0)).isCloseTo(1e-3 / 11, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(10)).isCloseTo(1e-3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(60)).isCloseTo(5.5e-4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.at(500)).isEqualTo(1e-4);
        InMemorySequences data = new InMemorySequences(TrainChild.corpus(), 16);
        List<int[]> first = new ArrayList<>();
        long[] mid;
        try (DataLoader l = new DataLoader(data, 4, 7)) {
            for (int i = 0; i < 300; i++) {
                first.add(l.next().inputs().clone());
            }
            mid = null;
        }
        try (DataLoader l = new DataLoader(data, 4, 7)) {
            for (int i = 0; i < 150; i++) {
                l.next();
            }
            mid = l.state();
        }
        assertThat(mid[0]).isGreaterThan(0); // crossed an epoch
        try (DataLoader l = new DataLoader(data, 4, 7)) {
            l.restore(mid);
            for (int i = 150; i < 300; i++) {
                assertThat(l.next().inputs()).isEqualTo(first.get(i));
            }
        }
    }

    @Test
    void killedRunResumesBitIdentical(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        run(a, 30, 0, -1);
        // Killed with kill -9 while between checkpoints (after step-000010 was committed).
        run(b, 30, 150, 10);
        assertThat(b.resolve("step-000030")).doesNotExist();
        List<Path> ckpts = Checkpoints.list(b);
        assertThat(ckpts).isNotEmpty();
        // Damage the newest checkpoint: resume must skip it with a warning and use the one before.
        if (ckpts.size() >= 2) {
            Path newest = ckpts.get(0);
            byte[] bytes = Files.readAllBytes(newest.resolve("model.params"));
            bytes[bytes.length / 3] ^= 1;
            Files.write(newest.resolve("model.params"), bytes);
        }
        String out = run(b, 30, 0, -1);
        assertThat(out).contains("done 30 resumed ");
        assertThat(out).doesNotContain("resumed 0");
        assertThat(Files.readAllBytes(b.resolve("step-000030/model.params")))
                .isEqualTo(Files.readAllBytes(a.resolve("step-000030/model.params")));
        assertThat(Files.readAllBytes(b.resolve("step-000030/optimizer.bin")))
                .isEqualTo(Files.readAllBytes(a.resolve("step-000030/optimizer.bin")));
    }

    /** Runs {@link TrainChild}; with killAfter >= 0, kill -9s it once that checkpoint exists. */
    private static String run(Path folder, int steps, int sleepMs, int killAfter) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                TrainChild.class.getName(),
                folder.toString(),
                String.valueOf(steps),
                String.valueOf(sleepMs)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Path log = Files.createTempFile(folder.getParent(), "child", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (killAfter >= 0) {
            Path target = folder.resolve(Checkpoints.dirName(killAfter));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(target) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
            assertThat(p.isAlive())
                    .as("child still running when killed; log:\n%s", read(log))
                    .isTrue();
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            return read(log);
        }
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String out = read(log);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log);
    }
}
