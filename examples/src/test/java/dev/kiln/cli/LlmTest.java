package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LlmTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Llm.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: llm").contains("env");
    }

    @Test
    void versionNamesKilnAndJava() {
        Run r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Kiln ").contains("Java " + System.getProperty("java.version"));
    }

    @Test
    void unknownSubcommandsAreUsageErrorsWithoutStackTraces() {
        Run r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate").doesNotContain("at dev.kiln");
    }

    @Test
    void envReportsTheMachine() {
        Run r = run("env");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("java").contains("cores").contains("python3");
    }

    @Test
    void envSaysWhatEachOptionalCapabilityNeedsAndWhetherItIsHere() {
        Run r = run("env");
        assertThat(r.code()).isZero();
        for (String capability : List.of(
                "HumanEval (Python) execution",
                "GGUF checks against llama.cpp",
                "--engine spark",
                "tree-sitter",
                "playground browser test",
                "GPU training")) {
            assertThat(r.out()).containsPattern("(?m)^  (yes|no ) .*\\Q" + capability + "\\E.* needs ");
        }
        // Spark is a provided dependency, on the test class path: the probe must see it.
        assertThat(r.out()).containsPattern("(?m)^  yes --engine spark");
    }

    @Test
    void verboseIsAcceptedBeforeAndAfterTheSubcommand() {
        assertThat(run("--verbose", "env").code()).isZero();
        assertThat(run("env", "--verbose").code()).isZero();
    }

    @Test
    void aKilnLogThatIsNoLevelIsOneLineNamingIt() {
        assertThat(CliLogging.configure(new String[0], "loud"))
                .isEqualTo("KILN_LOG='loud' is not a log level; use one of error, warn, info, debug, trace");
    }
}
