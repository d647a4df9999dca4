package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the DevTools protocol (a WebSocket from the JDK's HTTP client):
 * open a page, evaluate an expression, take a screenshot. With {@code CI=true} a missing Chromium
 * fails the test ({@code .ci/setup.d/chromium.sh} installs it).
 */
final class HeadlessChromium implements AutoCloseable, WebSocket.Listener {

    private final Process process;
    private final Path log;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;

    private HeadlessChromium(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The chromium executable on PATH, if any. */
    static Optional<Path> find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    static HeadlessChromium start(Path exe, Path work) throws Exception {
        Path profile = work.resolve("chromium-profile");
        Files.createDirectories(profile);
        Path log = work.resolve("chromium.log");
        Process p = new ProcessBuilder(
                        exe.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--no-first-run",
                        "--window-size=1280,1000",
                        "--remote-debugging-port=0",
                        "--user-data-dir=" + profile.toAbsolutePath(),
                        "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HeadlessChromium c = new HeadlessChromium(p, log);
        try {
            Path port = profile.resolve("DevToolsActivePort");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(port) || Files.readAllLines(port).size() < 2) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("chromium did not open its DevTools port: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
            String list = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + Files.readAllLines(port).get(0).strip() + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            for (JsonNode t : Json.parse(list)) {
                if (t.path("type").asText().equals("page")) {
                    c.ws = HttpClient.newHttpClient()
                            .newWebSocketBuilder()
                            .buildAsync(
                                    URI.create(t.path("webSocketDebuggerUrl").asText()), c)
                            .get(10, TimeUnit.SECONDS);
                    break;
                }
            }
            if (c.ws == null) {
                throw new AssertionError("no page target in " + list);
            }
            c.call("Page.enable", Map.of());
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** Loads {@code file} and waits for the document to be complete. */
    void open(Path file) throws Exception {
        call("Page.navigate", Map.of("url", file.toAbsolutePath().toUri().toString()));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Thread.sleep(100);
        while (!eval("document.readyState === 'complete' && location.href.startsWith('file:')")
                .asBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("page did not load: " + file);
            }
            Thread.sleep(50);
        }
    }

    /** The value of a JavaScript expression (returned by value). */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("page script failed: " + r.get("exceptionDetails"));
        }
        return r.at("/result/value");
    }

    /** A PNG of the whole page. */
    byte[] screenshot() throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        return Base64.getDecoder().decode(r.path("data").asText());
    }

    private JsonNode call(String method, Map<String, ?> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = Json.mapper().createObjectNode();
        msg.put("id", id).put("method", method).set("params", Json.mapper().valueToTree(params));
        synchronized (this) {
            ws.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
        }
        JsonNode reply = f.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode n = Json.parse(partial.toString());
                CompletableFuture<JsonNode> f =
                        n.has("id") ? pending.remove(n.get("id").asInt()) : null;
                if (f != null) {
                    f.complete(n);
                }
            } catch (RuntimeException e) {
                // An event we did not ask about.
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() throws Exception {
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        var children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
