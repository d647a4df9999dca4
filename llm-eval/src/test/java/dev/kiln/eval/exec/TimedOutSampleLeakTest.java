package dev.kiln.eval.exec;

import static dev.kiln.eval.exec.internal.StrayProcesses.running;
import static dev.kiln.eval.exec.internal.StrayProcesses.uniqueSleep;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A timed-out sample that started children -- in its process group, in a session of their own,
 * and orphaned by a double fork -- leaves no process behind, at every isolation level this
 * machine offers. The children are {@code /bin/sleep} with a unique duration, so they are found
 * by command line whatever uid they run as.
 */
class TimedOutSampleLeakTest {

    @ParameterizedTest
    @EnumSource(Sandbox.Isolation.class)
    void pythonSampleThatTimesOutLeavesNoChildren(Sandbox.Isolation level) throws Exception {
        assumeAvailable(level);
        String tag = uniqueSleep();
        for (boolean swallowsTheAlarm : List.of(false, true)) {
            // The wrapper's alarm ends a plain loop itself; a sample that swallows it is killed by the parent.
            String loop = swallowsTheAlarm
                    ? "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n"
                            + "        pass\n"
                    : "while True:\n    pass\n";
            String program = "import posix, time\n"
                    + "def sleeper(new_session, orphan):\n"
                    + "    if posix.fork() == 0:\n"
                    + "        if new_session:\n"
                    + "            posix.setsid()\n"
                    + "        if orphan and posix.fork() != 0:\n"
                    + "            posix._exit(0)\n"
                    + "        posix.execv('/bin/sleep', ['sleep', '" + tag + "'])\n"
                    + "sleeper(False, False)\n"
                    + "sleeper(True, False)\n"
                    + "sleeper(True, True)\n"
                    + "time.sleep(0.3)\n"
                    + loop;
            try (PythonExecutor py = PythonExecutor.builder()
                    .optSandbox(Sandbox.of(level))
                    .optMinIsolation(Sandbox.Isolation.NONE)
                    .optWorkers(1)
                    .optTimeout(Duration.ofMillis(800))
                    .build()) {
                ExecOutcome o = py.execute(program);
                assertThat(o.result())
                        .as(level + ", alarm swallowed: " + swallowsTheAlarm)
                        .isEqualTo("timed out");
            }
            assertThat(running(tag))
                    .as(level + ", alarm swallowed: " + swallowsTheAlarm)
                    .isEmpty();
        }
    }

    /** FULL (PID namespace) and NONE (tag scan); the levels between kill the way NONE does. */
    @ParameterizedTest
    @EnumSource(names = {"FULL", "NONE"})
    void javaSampleThatTimesOutLeavesNoChildren(Sandbox.Isolation level) throws Exception {
        assumeAvailable(level);
        String tag = uniqueSleep();
        String program = "public class Main {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + "        new ProcessBuilder(\"/bin/sleep\", \"" + tag + "\").start();\n"
                + "        new ProcessBuilder(\"setsid\", \"/bin/sleep\", \"" + tag + "\").start();\n"
                + "        new ProcessBuilder(\"/bin/sh\", \"-c\", \"setsid /bin/sleep " + tag + " &\").start();\n"
                + "        while (true) {}\n"
                + "    }\n"
                + "}\n";
        try (JavaExecutor java = JavaExecutor.builder()
                .optSandbox(Sandbox.of(level))
                .optMinIsolation(Sandbox.Isolation.NONE)
                .optWorkers(1)
                .optCompileWorkers(1)
                .optTimeout(Duration.ofSeconds(3))
                .build()) {
            ExecOutcome o = java.execute(program);
            assertThat(o.result()).as(level.toString()).isEqualTo("timed out");
        }
        assertThat(running(tag)).as(level.toString()).isEmpty();
    }

    /** Levels stronger than what the machine offers cannot run here. */
    private static void assumeAvailable(Sandbox.Isolation level) {
        Assumptions.assumeTrue(
                level.ordinal() >= Sandbox.detect().isolation().ordinal(),
                level + " is not available here (" + Sandbox.detect().isolation() + ")");
    }
}
