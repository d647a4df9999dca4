package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs examples/jshell/quickstart.jsh with the JDK's jshell, as examples/README.md documents. */
class JshellScriptTest {

    @Test
    void quickstartScriptRunsInJshell() throws Exception {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        Path script = Path.of("jshell", "quickstart.jsh").toAbsolutePath();
        // The documented class path is examples/target/kiln-cli.jar (its manifest lists lib/*); the jar
        // is built after the tests, so the test passes the same classes and libraries explicitly.
        String cp = Path.of("target", "classes").toAbsolutePath()
                + java.io.File.pathSeparator
                + System.getProperty("java.class.path");
        Process p = new ProcessBuilder(List.of(jshell.toString(), "-R-Xmx512m", "--class-path", cp, script.toString()))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("curated: kept ").contains("round trip ok").doesNotContain("Error:");
        assertThat(Files.isRegularFile(script)).isTrue();
    }
}
