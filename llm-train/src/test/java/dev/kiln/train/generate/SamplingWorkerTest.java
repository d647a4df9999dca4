package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.core.model.Sampler;
import dev.kiln.core.model.SamplingParams;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.function.ToIntBiFunction;
import org.junit.jupiter.api.Test;

class SamplingWorkerTest {

    private static final int VOCAB = 8192;
    private static final SamplingParams HOT = new SamplingParams(0.8, 1, 0, 7);

    /** A row with its own logits and random stream, as a session has. */
    private record Row(float[] logits, SplittableRandom rng) {}

    /** Names of the threads that drew a row. */
    private final ConcurrentHashMap<String, Boolean> drewRows = new ConcurrentHashMap<>();

    private final ToIntBiFunction<Row, Sampler> draw = (row, sampler) -> {
        drewRows.put(Thread.currentThread().getName(), Boolean.TRUE);
        return sampler.sample(row.logits(), 0, VOCAB, HOT, row.rng());
    };

    private static Row[] rows(int n, long seed) {
        Random r = new Random(seed);
        Row[] rows = new Row[n];
        for (int i = 0; i < n; i++) {
            float[] logits = new float[VOCAB];
            for (int v = 0; v < VOCAB; v++) {
                logits[v] = (float) (r.nextGaussian() * 3);
            }
            rows[i] = new Row(logits, new SplittableRandom(seed * 1000 + i));
        }
        return rows;
    }

    private static int[] oneThread(Row[] rows, int steps) {
        Sampler sampler = new Sampler(VOCAB);
        int[] out = new int[rows.length * steps];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < rows.length; i++) {
                out[s * rows.length + i] = sampler.sample(rows[i].logits(), 0, VOCAB, HOT, rows[i].rng());
            }
        }
        return out;
    }

    private static int[] worker(SamplingWorker<Row> w, Row[] rows, int steps) {
        int[] out = new int[rows.length * steps];
        int[] drawn = new int[rows.length];
        for (int s = 0; s < steps; s++) {
            w.sample(rows, drawn, rows.length);
            System.arraycopy(drawn, 0, out, s * rows.length, rows.length);
        }
        return out;
    }

    @Test
    void twoThreadsDrawTheTokensOneThreadDraws() {
        for (int n : new int[] {1, 3, 4, 5, 16, 33}) {
            int[] expected = oneThread(rows(n, n), 40);
            int[] got;
            try (SamplingWorker<Row> w = new SamplingWorker<>(
                    new Sampler(VOCAB),
                    VOCAB,
                    draw,
                    Thread.ofPlatform().daemon().name("test-helper").factory(),
                    true)) {
                got = worker(w, rows(n, n), 40);
            }
            assertThat(got).as("tokens of %s rows", n).containsExactly(expected);
        }
        assertThat(drewRows).as("threads that drew rows").containsKey("test-helper");
    }

    @Test
    void aHelperThatHasNoCoreDoesNotHoldTheStep() throws InterruptedException {
        CountDownLatch core = new CountDownLatch(1);
        ThreadFactory stalled =
                task -> Thread.ofPlatform().daemon().name("stalled-helper").unstarted(() -> {
                    try {
                        core.await(); // a helper woken on a busy core: it runs only after the step
                    } catch (InterruptedException e) {
                        return;
                    }
                    task.run();
                });
        Row[] rows = rows(16, 3);
        int[] expected = oneThread(rows(16, 3), 8);
        try (SamplingWorker<Row> w = new SamplingWorker<>(new Sampler(VOCAB), VOCAB, draw, stalled, true)) {
            int[] got = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> worker(w, rows, 5));
            assertThat(got).containsExactly(Arrays.copyOf(expected, 5 * 16));
            assertThat(drewRows).doesNotContainKey("stalled-helper");
            core.countDown(); // the late helper finds the old batches drawn and joins the next ones
            int[] more = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> worker(w, rows, 3));
            assertThat(more)
                    .as("the rows' random streams continue as on one thread")
                    .containsExactly(Arrays.copyOfRange(expected, 5 * 16, 8 * 16));
        }
    }
}
