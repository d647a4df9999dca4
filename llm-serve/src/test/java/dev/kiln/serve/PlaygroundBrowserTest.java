package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground end to end in headless Chromium, driven over the Chrome DevTools Protocol: load
 * the page, request a completion, rate it, check the JSONL line, take a screenshot.
 */
class PlaygroundBrowserTest {

    @Test
    void completeAndRateInHeadlessChromium(@TempDir Path tmp) throws Exception {
        Optional<Path> chromium = findChromium();
        Assumptions.assumeTrue(
                chromium.isPresent(),
                "chromium is not installed: apt-get install chromium (.ci/setup.d/chromium.sh does it in CI)");
        Path feedback = tmp.resolve("feedback.jsonl");
        try (Server server = Server.builder()
                        .setModel(TestModels.ngram())
                        .optPort(0)
                        .optFeedbackFile(feedback)
                        .build()
                        .start()
                        .awaitReady(Duration.ofSeconds(30));
                Browser browser = Browser.start(chromium.get(), tmp.resolve("profile"))) {
            Cdp page = browser.page();
            page.call("Page.enable", Map.of());
            page.call("Page.navigate", Map.of("url", server.url() + "/"));
            page.waitFor("document.readyState === 'complete' && document.getElementById('model').textContent === '"
                    + TestModels.ngram().id() + "'");

            String prefix = "    public static Builder builder() {\n        return ";
            page.eval("document.getElementById('prefix').value = " + Json.toLine(prefix) + ";"
                    + "document.getElementById('suffix').value = ';\\n    }\\n';"
                    + "document.getElementById('maxTokens').value = '12';"
                    + "document.getElementById('complete').click(); true");
            page.waitFor("!document.getElementById('up').disabled");
            String completion = page.eval("document.getElementById('completion').textContent")
                    .asText();
            String latency =
                    page.eval("document.getElementById('latency').textContent").asText();
            assertThat(latency).matches("\\d+ ms");
            assertThat(page.eval("document.getElementById('status').textContent")
                            .asText())
                    .startsWith("done");

            page.eval("document.getElementById('up').click(); true");
            page.waitFor("document.getElementById('feedbackStatus').textContent === 'thanks, recorded'");

            List<String> lines = Files.readAllLines(feedback);
            assertThat(lines).hasSize(1);
            JsonNode row = Json.mapper().readTree(lines.get(0));
            assertThat(row.get("rating").asText()).isEqualTo("up");
            assertThat(row.get("prompt").asText()).isEqualTo(prefix);
            assertThat(row.get("suffix").asText()).isEqualTo(";\n    }\n");
            assertThat(row.get("completion").asText()).isEqualTo(completion);
            assertThat(row.get("model").asText()).isEqualTo(TestModels.ngram().id());
            assertThat(row.get("completion_id").asText()).startsWith("cmpl-");
            assertThat(row.get("latency_ms").asDouble()).isPositive();

            JsonNode shot = page.call("Page.captureScreenshot", Map.of("format", "png"));
            byte[] png = Base64.getDecoder().decode(shot.get("data").asText());
            assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            Path out = Path.of("target", "playground.png");
            Files.createDirectories(out.getParent());
            Files.write(out, png);
            assertThat(png.length).isGreaterThan(5_000);
        }
    }

    static Optional<Path> findChromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** A headless Chromium process with its own profile. */
    static final class Browser implements AutoCloseable {
        final Process process;
        final int port;
        Cdp page;

        private Browser(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Browser start(Path chromium, Path profile) throws Exception {
            Files.createDirectories(profile);
            Process p = new ProcessBuilder(
                            chromium.toString(),
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--no-first-run",
                            "--disable-quic",
                            "--disable-dev-shm-usage",
                            "--window-size=1024,900",
                            "--remote-debugging-port=0",
                            "--user-data-dir=" + profile.toAbsolutePath(),
                            "about:blank")
                    .redirectErrorStream(true)
                    .redirectOutput(profile.resolveSibling("chromium.log").toFile())
                    .start();
            Path active = profile.resolve("DevToolsActivePort");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(active) || Files.readAllLines(active).size() < 2) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    p.destroyForcibly();
                    throw new AssertionError("chromium did not open its DevTools port: "
                            + Files.readString(profile.resolveSibling("chromium.log")));
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(active).get(0).strip());
            return new Browser(p, port);
        }

        Cdp page() throws Exception {
            if (page == null) {
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                for (JsonNode t : Json.mapper().readTree(r.body())) {
                    if (t.get("type").asText().equals("page")) {
                        page = Cdp.connect(
                                URI.create(t.get("webSocketDebuggerUrl").asText()));
                        break;
                    }
                }
                assertThat(page).as("a page target in " + r.body()).isNotNull();
            }
            return page;
        }

        @Override
        public void close() throws Exception {
            if (page != null) {
                page.close();
            }
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle c : children) {
                c.destroyForcibly();
            }
        }
    }

    /** A minimal Chrome DevTools Protocol client over the JDK's WebSocket. */
    static final class Cdp implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static Cdp connect(URI url) throws Exception {
            Cdp c = new Cdp();
            c.ws = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(url, c)
                    .get(10, TimeUnit.SECONDS);
            return c;
        }

        JsonNode call(String method, Map<String, ?> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            ObjectNode msg = Json.mapper().createObjectNode();
            msg.put("id", id);
            msg.put("method", method);
            msg.set("params", Json.mapper().valueToTree(params));
            synchronized (this) {
                ws.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
            }
            JsonNode reply = f.get(30, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new AssertionError(method + " failed: " + reply.get("error"));
            }
            return reply.get("result");
        }

        JsonNode eval(String expression) throws Exception {
            JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            if (r.has("exceptionDetails")) {
                throw new AssertionError("page script failed: " + r.get("exceptionDetails"));
            }
            return r.at("/result/value");
        }

        void waitFor(String condition) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!eval("!!(" + condition + ")").asBoolean()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("the page never satisfied: " + condition + "; body: "
                            + eval("document.body.innerText").asText());
                }
                Thread.sleep(50);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode n = Json.mapper().readTree(text);
                    if (n.has("id")) {
                        CompletableFuture<JsonNode> f =
                                pending.remove(n.get("id").asInt());
                        if (f != null) {
                            f.complete(n);
                        }
                    }
                } catch (IOException e) {
                    // Not ours to handle: events we did not ask about.
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
