package dev.kiln.eval.exec.internal;

import static dev.kiln.eval.exec.internal.StrayProcesses.running;
import static dev.kiln.eval.exec.internal.StrayProcesses.uniqueSleep;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ProcessRun} on real {@code /bin/sh} and {@code python3} processes. */
class ProcessRunTest {

    private static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin");

    @Test
    void outputIsCappedButDrainedToTheEndAndTheTailKept() throws Exception {
        // 4 MiB on each stream: far above the cap and above a pipe's buffer, so an undrained stream would block.
        String script = "import sys\n"
                + "for _ in range(64):\n"
                + "    sys.stdout.write('o' * 65536)\n"
                + "    sys.stderr.write('e' * 65536)\n"
                + "sys.stderr.write('\\nlast line\\n')\n";
        ProcessRun.Result r =
                ProcessRun.run(List.of("python3", "-c", script), null, ENV, null, Duration.ofSeconds(20), null, 1000);
        assertThat(r.exitCode()).isZero();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.stdout()).hasSize(1000).matches("o+");
        assertThat(r.stderr()).hasSize(1000).matches("e+");
        assertThat(r.stderrTail()).endsWith("\nlast line\n");
    }

    @Test
    void theNonceIsFoundAcrossWritesAndNotWhenIncomplete() throws Exception {
        byte[] nonce = "kiln-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        // Written in two pieces with a pause, after a near miss that shares the nonce's prefix.
        String split = "import sys, time\n"
                + "sys.stdout.write('kiln-0123kiln-0123456'); sys.stdout.flush(); time.sleep(0.2)\n"
                + "sys.stdout.write('789abcdef\\n')\n";
        ProcessRun.Result seen = ProcessRun.run(
                List.of("python3", "-c", split), null, ENV, null, Duration.ofSeconds(20), nonce, 1 << 16);
        assertThat(seen.nonceSeen()).isTrue();
        ProcessRun.Result partial = ProcessRun.run(
                List.of("python3", "-c", "print('kiln-0123456789abcde')"),
                null,
                ENV,
                null,
                Duration.ofSeconds(20),
                nonce,
                1 << 16);
        assertThat(partial.nonceSeen()).isFalse();
    }

    @Test
    void stdinIsWrittenThenClosedAndTheEnvironmentIsOnlyWhatWasGiven() throws Exception {
        byte[] in = "from stdin\n".getBytes(StandardCharsets.UTF_8);
        ProcessRun.Result r = ProcessRun.run(
                List.of("/bin/sh", "-c", "cat; env"), null, ENV, in, Duration.ofSeconds(20), null, 1 << 16);
        assertThat(r.stdout()).startsWith("from stdin\n");
        assertThat(r.stdout().lines().filter(l -> l.contains("=")))
                .allMatch(l ->
                        l.startsWith("PATH=") || l.startsWith("PWD=") || l.startsWith("SHLVL=") || l.startsWith("_="));
    }

    @Test
    void aTimeoutKillsTheProcessAndItsChildrenAndReportsMinusOne() throws Exception {
        String tag = uniqueSleep();
        long t0 = System.nanoTime();
        ProcessRun.Result r = ProcessRun.run(
                List.of("/bin/sh", "-c", "/bin/sleep " + tag + " & /bin/sleep " + tag),
                null,
                ENV,
                null,
                Duration.ofMillis(300),
                null,
                1024);
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        assertThat(running(tag)).isEmpty();
    }

    @Test
    void killAllRemovesWhatAFinishedCommandLeftInOtherSessions() throws Exception {
        String tag = uniqueSleep();
        // Exits at once, leaving a grandchild in a session of its own (not in the process group).
        ProcessRun.Result r = ProcessRun.run(
                List.of("setsid", "/bin/sh", "-c", "setsid /bin/sleep " + tag + " >/dev/null 2>&1 & exit 3"),
                null,
                ENV,
                null,
                Duration.ofSeconds(20),
                null,
                1024,
                true);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.timedOut()).isFalse();
        assertThat(running(tag)).isEmpty();
    }

    @Test
    void thePidsCreatedSinceARunStartedAreARangeThatWrapsAtPidMax() {
        assertThat(ProcessRun.Proc.range(100, 103, 32768)).containsExactly(100L, 101L, 102L, 103L);
        assertThat(ProcessRun.Proc.range(32766, 2, 32768)).containsExactly(32766L, 32767L, 1L, 2L);
        assertThat(ProcessRun.Proc.range(100, 100, 32768)).containsExactly(100L);
        assertThat(ProcessRun.Proc.range(100, 99, 32768))
                .as("a full circle: too many to look at")
                .isNull();
        assertThat(ProcessRun.Proc.range(100, 100 + 5000, 4_194_304)).isNull();
    }
}
