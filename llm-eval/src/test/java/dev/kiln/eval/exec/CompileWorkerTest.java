package dev.kiln.eval.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.exec.internal.JavaCompileServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileWorkerTest {

    @TempDir
    Path tmp;

    @Test
    void aCompileOverBudgetRestartsTheWorkerWhichThenCompilesAgain() throws Exception {
        String cp = Path.of(JavaCompileServer.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        Files.writeString(tmp.resolve("Main.java"), "public class Main { public static void main(String[] a) {} }\n");
        try (CompileWorker w = new CompileWorker(JavaExecutor.findJava(), cp)) {
            CompileWorker.Result hung = w.compile(tmp, "Main.java", Duration.ofMillis(1));
            assertThat(hung.timedOut()).isTrue();
            CompileWorker.Result ok = w.compile(tmp, "Main.java", Duration.ofSeconds(60));
            assertThat(ok.timedOut()).isFalse();
            assertThat(ok.error()).isNull();
            assertThat(tmp.resolve("Main.class")).exists();
            Files.writeString(tmp.resolve("Bad.java"), "class Bad { int f() { return \"x\"; } }\n");
            CompileWorker.Result bad = w.compile(tmp, "Bad.java", Duration.ofSeconds(60));
            assertThat(bad.error()).startsWith("line 1: ").contains("incompatible types");
        }
    }
}
