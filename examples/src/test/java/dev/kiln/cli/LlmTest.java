package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
