package dev.kiln.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardSinkTest {

    static StepMetrics step(long s, double mfu) {
        return new StepMetrics(
                s, 5.0 / s, 1e-3 * s / 30, 0.5 + s * 0.01, 1000 + s, mfu, 12.5, 64L << 20, 300L << 20, 42);
    }

    static RunInfo info(long resumedFrom) {
        return RunInfo.startingNow(
                Map.of("max_steps", 30),
                Map.of("d_model", 32),
                1234,
                256,
                30,
                resumedFrom,
                null,
                "cpu()",
                "float32",
                List.of("data/"),
                7);
    }

    /** Writes a run of 30 steps (validation at 10, 20, 30), returns the event file. */
    static Path writeRun(Path dir, long from, long to, double lossOffset) throws IOException {
        try (TensorBoardSink sink = new TensorBoardSink(dir, 10)) {
            sink.onStart(info(from));
            for (long s = from + 1; s <= to; s++) {
                StepMetrics m = step(s, 0);
                sink.onStep(new StepMetrics(
                        s,
                        m.loss() + lossOffset,
                        m.lr(),
                        m.gradNorm(),
                        m.tokensPerSecond(),
                        0,
                        m.stepMillis(),
                        m.heapBytes(),
                        m.residentBytes(),
                        m.nativeArrays()));
                if (s % 10 == 0) {
                    sink.onEval(s, 4.0 - s / 100.0);
                }
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .max((a, b) ->
                            a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .orElseThrow();
        }
    }

    @Test
    void crc32cOfTheReaderMatchesTheStandardCheckValue() {
        // CRC-32C ("123456789") = 0xE3069283 (RFC 3720, appendix B.4 check value).
        assertThat(TfEventsReader.crc32c("123456789".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(0xE3069283);
    }

    @Test
    void eventsCarryVersionSessionStartTagsStepsAndValues(@TempDir Path dir) throws IOException {
        long before = System.currentTimeMillis() / 1000;
        Path file = writeRun(dir, 0, 30, 0);
        assertThat(file.getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\.\\d+\\.\\d+");
        List<TfEventsReader.Event> events = TfEventsReader.read(file);

        assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
        assertThat(events.get(0).wallTime()).isBetween(before - 1.0, before + 120.0);
        assertThat(events.get(1).sessionStatus()).isEqualTo(1); // SessionLog.START
        assertThat(events.get(1).step()).isEqualTo(1);

        List<TfEventsReader.Event> scalars =
                events.stream().filter(e -> !e.scalars().isEmpty()).toList();
        List<TfEventsReader.Event> train = scalars.stream()
                .filter(e -> e.scalars().containsKey("train/loss"))
                .toList();
        assertThat(train).extracting(TfEventsReader.Event::step).containsExactlyElementsOf(range(1, 30));
        for (TfEventsReader.Event e : train) {
            StepMetrics m = step(e.step(), 0);
            assertThat(e.scalars())
                    .containsOnlyKeys(
                            "train/loss",
                            "train/lr",
                            "train/grad_norm",
                            "perf/tokens_per_s",
                            "perf/step_ms",
                            "memory/rss_mib",
                            "memory/heap_mib",
                            "memory/native_arrays")
                    .containsEntry("train/loss", (float) m.loss())
                    .containsEntry("train/lr", (float) m.lr())
                    .containsEntry("train/grad_norm", (float) m.gradNorm())
                    .containsEntry("perf/tokens_per_s", (float) m.tokensPerSecond())
                    .containsEntry("memory/rss_mib", 300f)
                    .containsEntry("memory/heap_mib", 64f)
                    .containsEntry("memory/native_arrays", 42f);
        }
        List<TfEventsReader.Event> val = scalars.stream()
                .filter(e -> e.scalars().containsKey("val/loss"))
                .toList();
        assertThat(val).extracting(TfEventsReader.Event::step).containsExactly(10L, 20L, 30L);
        assertThat(val.get(1).scalars()).containsEntry("val/loss", (float) 3.8);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).wallTime())
                    .isGreaterThanOrEqualTo(events.get(i - 1).wallTime());
        }
    }

    @Test
    void mfuIsWrittenOnlyWhenMeasured(@TempDir Path dir) throws IOException {
        try (TensorBoardSink sink = new TensorBoardSink(dir, 10)) {
            sink.onStart(info(0));
            sink.onStep(step(1, 0.37));
        }
        Path file;
        try (Stream<Path> s = Files.list(dir)) {
            file = s.findFirst().orElseThrow();
        }
        assertThat(TfEventsReader.read(file).get(2).scalars()).containsEntry("perf/mfu", 0.37f);
    }

    @Test
    void aDamagedByteFailsItsRecordsCrc(@TempDir Path dir) throws IOException {
        Path file = writeRun(dir, 0, 3, 0);
        byte[] b = Files.readAllBytes(file);
        int lastData = b.length - 4 - 1;
        b[lastData] ^= 0x10;
        Files.write(file, b);
        assertThatThrownBy(() -> TfEventsReader.read(file)).hasMessageContaining("data CRC mismatch");
        b[lastData] ^= 0x10;
        b[0] ^= 0x01; // the first record's length
        Files.write(file, b);
        assertThatThrownBy(() -> TfEventsReader.read(file)).hasMessageContaining("length CRC mismatch");
    }

    @Test
    void badLogIntervalIsRejected() {
        assertThatThrownBy(() -> new TensorBoardSink(Path.of("x"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("log_interval must be >= 1, got 0");
        assertThatThrownBy(() -> MetricsSinkProvider.open("tensorboard", Path.of("x"), Map.of("log_interval", "ten")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metrics.log_interval must be an integer >= 1, got 'ten'");
    }

    /**
     * TensorBoard's own {@code EventAccumulator} loads the files: every tag, step and value, and a
     * resumed session (from step 20, after the first ran to 30) replaces steps 21-30.
     */
    @Test
    void tensorBoardsEventAccumulatorReadsTheRunAndPurgesResumedSteps(@TempDir Path dir) throws Exception {
        Path python = tensorBoardPython();
        writeRun(dir, 0, 30, 0);
        // Same second, same process: the file names still sort in order (time, host, pid, then a counter).
        writeRun(dir, 20, 25, 1.0);
        Path script = dir.resolveSibling(dir.getFileName() + "-load.py");
        Files.writeString(script, """
                import json, sys
                from tensorboard.backend.event_processing import event_accumulator as ea
                acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0})
                acc.Reload()
                print(json.dumps({t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}))
                """);
        Process p = new ProcessBuilder(python.toString(), script.toString(), dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String json = out.lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError(out));
        JsonNode tags = Json.parse(json);
        assertThat(tags.fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder(
                        "train/loss",
                        "train/lr",
                        "train/grad_norm",
                        "perf/tokens_per_s",
                        "perf/step_ms",
                        "memory/rss_mib",
                        "memory/heap_mib",
                        "memory/native_arrays",
                        "val/loss");
        List<Long> steps = new ArrayList<>();
        for (JsonNode pt : tags.get("train/loss")) {
            long s = pt.get(0).asLong();
            steps.add(s);
            double want = 5.0 / s + (s > 20 ? 1.0 : 0);
            assertThat(pt.get(1).asDouble()).as("train/loss at %d", s).isEqualTo((float) want);
        }
        assertThat(steps).containsExactlyElementsOf(range(1, 25));
        assertThat(tags.get("val/loss")).hasSize(2); // 10 and 20; 30 was purged by the resume
        assertThat(tags.get("train/lr").get(9).get(1).asDouble()).isEqualTo((float) (1e-3 * 10 / 30));
    }

    static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }

    /** TensorBoard's Python (.ci/setup.d/tensorboard.sh installs it); missing fails under CI=true. */
    static Path tensorBoardPython() {
        String env = System.getenv("KILN_TENSORBOARD_PYTHON");
        Path p = Path.of(env != null ? env : "/opt/kiln-tensorboard/bin/python");
        boolean ok = Files.isExecutable(p);
        String why = "TensorBoard's python not found at " + p
                + " (run .ci/setup.d/tensorboard.sh or set KILN_TENSORBOARD_PYTHON)";
        if ("true".equals(System.getenv("CI"))) {
            assertThat(ok).as(why).isTrue();
        }
        Assumptions.assumeTrue(ok, why);
        return p;
    }
}
