package dev.kiln.eval.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PythonExecutorTest {

    private static PythonExecutor py;

    @BeforeAll
    static void start() {
        py = PythonExecutor.builder().optTimeout(Duration.ofSeconds(3)).build();
    }

    @AfterAll
    static void stop() {
        py.close();
    }

    @Test
    void canonicalSolutionsPassAll164() {
        ProblemSet set = HumanEval.python();
        assertThat(set.size()).isEqualTo(164);
        List<String> programs = new ArrayList<>();
        for (Problem p : set.problems()) {
            programs.add(p.program(p.canonicalSolution()));
        }
        List<ExecOutcome> outcomes = py.executeAll(programs);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (!outcomes.get(i).passed()) {
                failures.add(set.problems().get(i).taskId() + " -> "
                        + outcomes.get(i).result());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void wrongAnswerFailsWithTheAssertion() {
        Problem p = HumanEval.python().get("HumanEval/0");
        ExecOutcome o = py.execute(p.program("    return 42\n"));
        assertThat(o.passed()).isFalse();
        assertThat(o.result()).startsWith("failed: ").contains("AssertionError");
    }

    @Test
    void earlyExitsFail() {
        Problem p = HumanEval.python().get("HumanEval/0");
        for (String body : List.of(
                "    import os\n    os._exit(0)\n",
                "    raise SystemExit(0)\n",
                "    import sys\n    sys.exit(0)\n",
                "    exit(0)\n")) {
            ExecOutcome o = py.execute(p.program(body));
            assertThat(o.passed()).as(body).isFalse();
            assertThat(o.status()).as(body).isEqualTo(ExecOutcome.Status.FAILED);
        }
        // module level, before the tests even start
        ExecOutcome o = py.execute("import os\nos._exit(0)\n" + p.program(p.canonicalSolution()));
        assertThat(o.passed()).isFalse();
        assertThat(o.result()).isEqualTo("failed: exited before the tests finished");
    }

    @Test
    void crashesFailWithWhatKilledTheProcess() {
        // A segmentation fault in the interpreter itself, and an abort: no Python exception, no nonce.
        ExecOutcome segv = py.execute("import ctypes\nctypes.string_at(0)\n");
        assertThat(segv.status()).isEqualTo(ExecOutcome.Status.FAILED);
        assertThat(segv.result()).isEqualTo("failed: killed by signal 11");
        ExecOutcome abort = py.execute("import posix\nposix.abort()\n");
        // As PID 1 of its namespace (FULL) the process ignores its own SIGABRT and glibc's abort then faults.
        assertThat(abort.result()).matches("failed: killed by signal (6|11)");
    }

    @Test
    void infiniteLoopTimesOut() {
        try (PythonExecutor one = PythonExecutor.builder()
                .optTimeout(Duration.ofMillis(500))
                .optWorkers(1)
                .build()) {
            ExecOutcome o = one.execute("while True:\n    pass\n");
            assertThat(o.result()).isEqualTo("timed out");
            assertThat(o.millis()).isLessThan(5000);
        }
    }

    @Test
    void nonceIsNotInArgvEnvironmentFilesOrStdin() {
        // Everything a sample can read without inspecting the wrapper's memory: print it, then exit 0.
        String leak = String.join(
                "\n",
                "import os, sys",
                "data = []",
                "data.append(open('/proc/self/cmdline','rb').read().decode('latin1'))",
                "data.append(open('/proc/self/environ','rb').read().decode('latin1'))",
                "data.append(' '.join(sys.argv))",
                "for f in os.listdir('.'):",
                "    data.append(open(f, 'rb').read().decode('latin1'))",
                "data.append(sys.stdin.read())",
                "for fd in os.listdir('/proc/self/fd'):",
                "    try:",
                "        data.append(os.read(int(fd), 4096).decode('latin1'))",
                "    except Exception:",
                "        pass",
                "print('\\n'.join(data))",
                "sys.stdout.flush()",
                "os._exit(0)",
                "");
        ExecOutcome o = py.execute(leak);
        assertThat(o.passed()).isFalse();
    }

    @Test
    void hostileSamplesLeaveTheHostUnchanged() throws Exception {
        Path marker = Path.of(System.getProperty("java.io.tmpdir"), "kiln-hostile-" + System.nanoTime());
        Path home = Path.of(System.getProperty("user.home"), "kiln-hostile-" + System.nanoTime());
        Path varTmp = Path.of("/var/tmp/kiln-hostile-" + System.nanoTime());
        String writer = "import os\n"
                + "for p in [" + quote(marker) + ", " + quote(home) + ", " + quote(varTmp) + "]:\n"
                + "    try:\n"
                + "        open(p, 'w').write('x')\n"
                + "    except Exception:\n"
                + "        pass\n"
                + "assert True\n";
        String forkBomb = "import posix, time\n"
                + "for _ in range(10000):\n"
                + "    try:\n"
                + "        posix.fork()\n"
                + "    except Exception:\n"
                + "        break\n"
                + "time.sleep(30)\n";
        String daemon = "import posix, time\n"
                + "if posix.fork() == 0:\n"
                + "    posix.setsid()\n"
                + "    time.sleep(60)\n"
                + "assert True\n";
        String noisy = "import sys\n"
                + "chunk = 'y' * 65536\n"
                + "for _ in range(300):\n"
                + "    sys.stdout.write(chunk)\n"
                + "    sys.stderr.write(chunk)\n"
                + "assert False, 'noisy'\n";
        String diskFiller = "f = open('big', 'wb')\n" + "while True:\n" + "    f.write(b'0' * (1 << 20))\n";
        String memoryHog = "x = []\n" + "while True:\n" + "    x.append(bytearray(100 << 20))\n";
        // Well-behaved ones first, so that the CPU the hostile ones burn cannot push them past the timeout.
        List<ExecOutcome> o = new ArrayList<>(py.executeAll(List.of(writer, writer)));
        o.set(1, py.execute(forkBomb));
        o.add(py.execute(daemon));
        o.addAll(py.executeAll(List.of(noisy, diskFiller, memoryHog)));
        assertThat(o.get(0).passed()).as(o.get(0).toString()).isTrue();
        assertThat(o.get(1).passed()).as(o.get(1).toString()).isFalse();
        assertThat(o.get(2).passed()).as(o.get(2).toString()).isTrue();
        assertThat(o.get(3).result()).isEqualTo("failed: AssertionError: noisy");
        assertThat(o.get(4).passed()).as(o.get(4).toString()).isFalse();
        assertThat(o.get(5).passed()).as(o.get(5).toString()).isFalse();
        assertThat(marker).doesNotExist();
        assertThat(home).doesNotExist();
        assertThat(varTmp).doesNotExist();
        assertThat(leftovers(py)).isEmpty();
    }

    /** Processes still running as a sandbox uid or running the wrapper. */
    static List<String> leftovers(SampleExecutor ex) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(ph -> {
                        String user = ph.info().user().orElse("");
                        boolean sandboxUid = false;
                        try {
                            int uid = Integer.parseInt(user);
                            sandboxUid = uid >= Sandbox.DEFAULT_UID_BASE && uid < Sandbox.DEFAULT_UID_BASE + 1000;
                        } catch (NumberFormatException e) {
                            // a named user
                        }
                        return sandboxUid || ph.info().commandLine().orElse("").contains("kiln_wrapper");
                    })
                    .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse("?"))
                    .toList();
        }
    }

    private static String quote(Path p) {
        return "'" + p.toString().replace("'", "\\'") + "'";
    }

    @Test
    void networkIsUnreachableInFullIsolation() {
        org.junit.jupiter.api.Assumptions.assumeTrue(py.sandbox().isolation() == Sandbox.Isolation.FULL);
        String net = "import socket\n"
                + "s = socket.socket()\n"
                + "s.settimeout(1)\n"
                + "try:\n"
                + "    s.connect(('1.1.1.1', 80))\n"
                + "    ok = True\n"
                + "except OSError:\n"
                + "    ok = False\n"
                + "assert not ok\n";
        assertThat(py.execute(net).result()).isEqualTo("passed");
    }

    @Test
    void sampleDirectoriesAreRemoved() throws Exception {
        try (PythonExecutor one = PythonExecutor.builder().optWorkers(1).build()) {
            one.execute("open('left.txt','w').write('x')\n");
            try (Stream<Path> s = Files.list(one.workRoot)) {
                assertThat(s.filter(Files::isDirectory).count()).isZero();
            }
        }
    }
}
