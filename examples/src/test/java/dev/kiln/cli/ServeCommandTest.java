package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void servesAModelDirectoryOnAFreePortAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("ngram.order"), "5\n");
        Path src = Path.of("src/main/java/dev/kiln/cli");
        for (String f : new String[] {"Llm.java", "EnvCommand.java", "ServeCommand.java"}) {
            Files.copy(src.resolve(f), model.resolve(f));
        }
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "k-123\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.kiln.cli.Llm",
                        "serve",
                        "--model",
                        model.toString(),
                        "--port",
                        "0",
                        "--instances",
                        "2",
                        "--max-batch",
                        "4",
                        "--api-key-file",
                        keys.toString(),
                        "--prefill-lane")
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String listening = out.readLine();
            assertThat(listening)
                    .as(Files.readString(dir.resolve("stderr.txt")))
                    .startsWith("listening on http://127.0.0.1:");
            Matcher m = Pattern.compile("port (\\d+)").matcher(listening);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(port).isPositive();
            assertThat(out.readLine()).startsWith("ready: model 'ngram-5'");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                            .header("Authorization", "Bearer k-123")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"import \",\"max_tokens\":8}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"text_completion\"");
            p.destroy(); // SIGTERM: the shutdown hook drains and stops
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("stderr.txt")))
                    .contains("server stopped")
                    .contains("--prefill-lane with --threads") // 2 instances leave no core free
                    .contains("leaves no core free");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aMissingModelDirectoryIsOneLineError() {
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("serve", "--model", "/nonexistent/model-dir", "--port", "0");
        assertThat(code).isNotZero();
        assertThat(err.toString())
                .contains("no such file: /nonexistent/model-dir")
                .doesNotContain("\tat ");
    }

    @Test
    void zeroThreadsIsOneLineError(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("serve", "--model", dir.toString(), "--port", "0", "--threads", "0");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--threads must be >= 1, got 0").doesNotContain("\tat ");
    }

    @Test
    void negativeHelperThreadsIsOneLineError(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("serve", "--model", dir.toString(), "--port", "0", "--helper-threads", "-1");
        assertThat(code).isNotZero();
        assertThat(err.toString())
                .contains("--helper-threads must be in [0, 64], got -1")
                .doesNotContain("\tat ");
    }
}
