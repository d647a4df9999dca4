package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.metrics.MetricsSinkProvider;
import dev.kiln.train.runs.Run;
import dev.kiln.train.runs.RunComparison;
import dev.kiln.train.runs.RunHistory;
import dev.kiln.train.runs.Runs;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real (tiny) training run with the jsonl, html and tensorboard sinks: run.json, the live and final run page, evals. */
class RunTrackingTest {

    static Trainer.Builder run(Path runDir, int steps, double lr, List<String> livePages) {
        int[] tokens = TrainChild.corpus();
        int cut = tokens.length * 9 / 10;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("optimizer.lr", lr);
        config.put("max_steps", steps);
        Map<String, String> opts = Map.of("log_interval", "2");
        return TrainChild.builder(runDir.resolve("checkpoints"), steps)
                .optValData(new InMemorySequences(Arrays.copyOfRange(tokens, cut, tokens.length), 16))
                .optEvalInterval(4)
                .optSaveInterval(4)
                .optLearningRate(lr)
                .optRunConfig(config)
                .optInputs(List.of("corpus.txt"))
                .optMetricsSink(MetricsSinkProvider.open("jsonl", runDir, opts))
                .optMetricsSink(MetricsSinkProvider.open("html", runDir, opts))
                .optMetricsSink(MetricsSinkProvider.open("tensorboard", runDir, opts))
                .optMetricsSink(m -> {
                    if (m.step() == 3) {
                        livePages.add(Files.readString(runDir.resolve("report.html")));
                    }
                });
    }

    @Test
    void runPageIsLiveThenFinalWithChartsCheckpointsConfigProvenanceAndEvals(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("lr-3e-3");
        List<String> live = new ArrayList<>();
        try (Trainer t = run(runDir, 10, 3e-3, live).build()) {
            t.fit();
        }
        assertThat(live).hasSize(1);
        assertThat(live.get(0)).contains("http-equiv=\"refresh\"", "class=\"live\"");

        JsonNode info = Json.read(runDir.resolve("run.json"));
        assertThat(info.path("device").asText()).isEqualTo("cpu (libtorch 2.7.1, cpu)");
        assertThat(info.path("precision").asText()).isEqualTo("fp32");
        assertThat(info.path("tokens_per_step").asLong()).isEqualTo(4 * 2 * 16);
        assertThat(info.path("config").path("optimizer.lr").asDouble()).isEqualTo(3e-3);
        assertThat(info.path("versions").path("kiln").asText()).isNotBlank();

        String page = Files.readString(runDir.resolve("report.html"));
        assertThat(page).doesNotContain("http-equiv=\"refresh\"").doesNotContain("<script");
        for (String id : List.of(
                "loss",
                "loss-tokens",
                "lr",
                "grad-norm",
                "tokens-per-s",
                "mfu",
                "step-ms",
                "memory",
                "native-arrays")) {
            assertThat(page).contains("id=\"chart-" + id + "\"");
        }
        assertThat(page)
                .contains("step-000004", "step-000008", "step-000010")
                .contains("<code>optimizer.lr</code>", "fp32", "cpu (libtorch 2.7.1, cpu)", "corpus.txt")
                .contains("training tokens");
        try (Stream<Path> s = Files.list(runDir)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("events.out.tfevents."));
        }

        Run run = Run.open(runDir);
        assertThat(run.history().lastStep()).isEqualTo(10);
        assertThat(run.history().series("val_loss").steps()).containsExactly(4, 8, 10);
        assertThat(run.checkpoints()).extracting(Run.Checkpoint::step).containsExactly(4L, 8L, 10L);
        assertThat(run.checkpoints().get(2).tokensSeen()).isEqualTo(10 * 128);
        assertThat(run.status()).isEqualTo("done");

        // `llm eval humaneval --model <checkpoints>` records its summary against the latest checkpoint.
        Path evalDir = dir.resolve("eval");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pass@1", 0.25);
        summary.put("pass@10", 0.5);
        summary.put("problems", 4);
        summary.put("language", "python");
        summary.put("samples", 40);
        assertThat(Runs.recordEval(runDir.resolve("checkpoints").toString(), evalDir, "humaneval", summary))
                .contains(runDir.toAbsolutePath().normalize());
        Run withEval = Run.open(runDir);
        assertThat(withEval.evals()).singleElement().satisfies(e -> {
            assertThat(e.step()).isEqualTo(10);
            assertThat(e.checkpoint())
                    .isEqualTo(runDir.resolve("checkpoints/step-000010")
                            .toAbsolutePath()
                            .normalize());
            assertThat(e.passAt1()).isEqualTo(0.25);
        });
        String after = Files.readString(runDir.resolve("report.html"));
        assertThat(after).contains("<h2>Evaluations</h2>", "python <b>25.0%</b>", "pass@10 50.0%", "chart-pass-at-1");
        assertThat(Runs.recordEval("http://localhost:8000/v1", evalDir, "humaneval", summary))
                .isEmpty();
        assertThat(Runs.recordEval(dir.toString(), evalDir, "humaneval", summary))
                .isEmpty();

        // A second run and a comparison.
        Path other = dir.resolve("lr-1e-3");
        try (Trainer t = run(other, 6, 1e-3, new ArrayList<>()).build()) {
            t.fit();
        }
        List<Run> found = Runs.find(dir);
        assertThat(found).extracting(Run::name).containsExactly("lr-1e-3", "lr-3e-3");
        assertThat(Runs.table(found, dir)).contains("run", "status", "lr-1e-3", "done", "6/6", "10/10", "25.0%");
        RunComparison cmp = RunComparison.builder()
                .addRun(found.get(0))
                .addRun(found.get(1))
                .optSmoothing(0.6)
                .build();
        assertThat(cmp.differingConfig())
                .containsOnlyKeys("max_steps", "optimizer.lr")
                .containsEntry("optimizer.lr", List.of("0.001", "0.003"));
        Path page2 = cmp.write(dir.resolve("compare.html"));
        assertThat(Files.readString(page2))
                .contains("#1f77b4", "#ff7f0e", "class=\"raw\"", "lr-1e-3/report.html", "config-diff");
    }

    @Test
    void aResumedRunRewindsItsPageToTheCheckpoint(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("r");
        try (Trainer t = run(runDir, 6, 3e-3, new ArrayList<>()).build()) {
            t.fit();
        }
        // Pretend steps 5-6 were lost in a crash: drop the step-6 checkpoint, resume from step 4.
        dev.kiln.core.io.AtomicFiles.deleteRecursively(runDir.resolve("checkpoints/step-000006"));
        Files.writeString(runDir.resolve("checkpoints/latest"), "step-000004\n");
        // ... and the kill cut the last metrics line short.
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":7,\"lo", java.nio.file.StandardOpenOption.APPEND);
        try (Trainer t = run(runDir, 8, 3e-3, new ArrayList<>()).build()) {
            assertThat(t.fit().resumedFrom()).isEqualTo(4);
        }
        RunHistory h = Run.open(runDir).history();
        assertThat(h.series("loss").steps()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(Json.read(runDir.resolve("run.json")).path("resumed_from").asLong())
                .isEqualTo(4);
    }

    @Test
    void badRunDirectoriesGetOneLineErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> Run.open(dir.resolve("nope")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no run directory");
        assertThatThrownBy(() -> Run.open(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir + " is not a run directory: it holds neither metrics.jsonl nor run.json");
        assertThatThrownBy(() -> RunComparison.builder().optSmoothing(1.5))
                .hasMessage("smoothing must be in [0, 1), got 1.5");
    }
}
