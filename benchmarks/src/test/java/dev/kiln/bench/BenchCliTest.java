package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

class BenchCliTest {

    @Command(name = "Probe", mixinStandardHelpOptions = true, description = "a probe")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "40")
        int steps;

        @Option(names = "--threads", defaultValue = "1")
        int threads;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (steps < 40) {
                throw BenchCli.bad(spec, "--steps must be >= 40, got %d", steps);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads); // as a builder's setter
            }
            return 0;
        }
    }

    /** Runs the probe with System.err captured; returns {exit code, what it printed}. */
    private static Object[] run(String... args) {
        return run(new Probe(), args);
    }

    private static Object[] run(Object command, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = BenchCli.execute(command, args);
            return new Object[] {rc, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void badValuesAreOneLineAndExitTwo() {
        for (String[] args :
                new String[][] {{"--steps", "ten"}, {"--steps", "10"}, {"--threads", "0"}, {"--nope"}, {"stray"}}) {
            Object[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo(2);
            assertThat(((String) r[1]).strip())
                    .startsWith("Probe: ")
                    .doesNotContain("\n")
                    .doesNotContain("\tat ");
        }
        assertThat((String) run("--steps", "ten")[1]).contains("'ten'");
        assertThat((String) run("--steps", "10")[1]).contains("--steps must be >= 40, got 10");
    }

    @Test
    void goodValuesAndHelpExitZero() {
        assertThat(run("--steps", "60")[0]).isEqualTo(0);
        assertThat(BenchCli.execute(new Probe(), "--help")).isEqualTo(0);
    }

    @Test
    void positionalBenchmarkArgumentsAreCheckedBeforeAnyWork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String work = dir.resolve("work").toString();
        String[][] cases = {
            {"s.mjs", "inst", work, dir.toString(), "two", "64", "3", "16"},
            {"s.mjs", "inst", work, dir.toString(), "0", "64", "3", "16"},
            {"s.mjs", "inst", work, dir.toString(), "1", "64", "3", "16", "-1"},
            {"s.mjs", "inst", work, dir.toString(), "1", "64", "3", "16"}, // no config.json
            {"s.mjs", "inst", work, dir.toString(), "1", "64"}
        };
        for (String[] args : cases) {
            Object[] r = run(new ServeVsLlamaCpp(), args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo(2);
            assertThat(((String) r[1]).strip())
                    .startsWith("ServeVsLlamaCpp: ")
                    .doesNotContain("\n")
                    .doesNotContain("\tat ");
        }
        assertThat((String) run(new ServeVsLlamaCpp(), cases[1])[1]).contains("THREADS must be >= 1, got 0");
        assertThat((String) run(new ServeVsLlamaCpp(), cases[3])[1]).contains("no config.json");
        assertThat(java.nio.file.Files.exists(dir.resolve("work")))
                .as("nothing written before the checks")
                .isFalse();
    }

    @Test
    void aServeModelShapeIsCheckedBeforeTheTokenizerIsTrained(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = dir.resolve("model").toString();
        String[][] cases = {
            {"--d-model", "100", out}, // not a multiple of 8 heads
            {"--heads", "8", "--kv-heads", "3", out},
            {"--layers", "0", out},
            {out, "0"},
            {out, "ten"}
        };
        for (String[] args : cases) {
            Object[] r = run(new ServeModel(), args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo(2);
            assertThat(((String) r[1]).strip())
                    .as(String.join(" ", args))
                    .startsWith("ServeModel: ")
                    .doesNotContain("\n")
                    .doesNotContain("\tat ");
        }
        assertThat((String) run(new ServeModel(), out, "0")[1]).contains("STEPS must be >= 1, got 0");
        assertThat(java.nio.file.Files.exists(dir.resolve("model")))
                .as("nothing written before the checks")
                .isFalse();
    }
}
