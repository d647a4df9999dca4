package dev.kiln.core.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void nonTerminalOutputIsOneLinePerIntervalWithRateAndEta() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        try (Progress p = Progress.builder()
                .setTask("tokenize")
                .optTotal(1000)
                .optUnit("docs")
                .optSink(ProgressSink.lines(lines::add, Duration.ofSeconds(10)))
                .optClock(now::get)
                .build()) {
            for (int i = 0; i < 100; i++) {
                now.addAndGet(SECOND / 10); // 100 docs over 10 s
                p.advance(1, 1_000_000);
            }
            assertThat(lines).containsExactly("tokenize: 100/1,000 docs (10%) 10.0 docs/s 10.0 MB/s ETA 1m30s");
            for (int i = 0; i < 50; i++) {
                now.addAndGet(SECOND / 10);
                p.advance(1);
            }
            assertThat(lines).hasSize(1); // 5 s later: throttled
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo("tokenize: 150/1,000 docs (15%) 10.0 docs/s 6.7 MB/s in 15s");
    }

    @Test
    void unknownTotalsShowCountAndRateOnly() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        Progress p = Progress.builder()
                .setTask("read")
                .optSink(ProgressSink.lines(lines::add, Duration.ofSeconds(1)))
                .optClock(now::get)
                .build();
        now.set(2 * SECOND);
        p.advance(5000);
        p.close();
        p.close(); // idempotent
        assertThat(lines).containsExactly("read: 5,000 items 2,500 items/s", "read: 5,000 items 2,500 items/s in 2s");
    }

    @Test
    void terminalSinkRedrawsInPlaceAndEndsWithNewline() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        try (Progress p = Progress.builder()
                .setTask("train")
                .optTotal(4)
                .optUnit("steps")
                .optSink(ProgressSink.terminal(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .optClock(now::get)
                .build()) {
            now.set(SECOND);
            p.advance(2);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\r[############            ] train: 2/4 steps (50%)");
        assertThat(out).endsWith("\n").contains("\u001b[K");
    }

    @Test
    void isSafeUnderConcurrentAdvances() throws Exception {
        try (Progress p =
                Progress.builder().setTask("x").optSink(ProgressSink.none()).build()) {
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        p.advance(1, 2);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(p.snapshot().done()).isEqualTo(40_000);
            assertThat(p.snapshot().bytes()).isEqualTo(80_000);
        }
    }

    @Test
    void builderRejectsBadValuesQuotingThem() {
        assertThatThrownBy(() -> Progress.builder().setTask(" ")).hasMessageContaining("' '");
        assertThatThrownBy(() -> Progress.builder().optTotal(-5)).hasMessageContaining("-5");
        assertThatThrownBy(() -> Progress.builder().build()).hasMessageContaining("setTask");
    }
}
