package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The load scenario's own HTTP client reads the same lines as the JDK's HttpClient, on one connection. */
class SseClientTest {

    /** An SSE body written in pieces that split a line, a CRLF and a multi-byte character across chunks. */
    static final String[] PIECES = {
        "data: {\"text\":\"a\\\"b\"}\n\nda",
        "ta: {\"text\":\"\u00e9\u4e2d",
        "\ud83d\ude00\"}\r\n\r\n: ping\n\n",
        "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\ndata: [DONE]\n\n"
    };

    @Test
    void readsTheSameLinesAsTheJdkClientOverOneKeptAliveConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            if (ex.getRequestHeaders().getFirst("Content-Type").contains("json")) {
                ex.sendResponseHeaders(200, 0); // chunked
                try (OutputStream out = ex.getResponseBody()) {
                    for (String p : PIECES) {
                        out.write(p.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            }
        });
        server.createContext("/busy", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = "{\"error\":{\"message\":\"busy\"}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(429, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.setExecutor(null);
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/completions");
            List<String> expected;
            try (HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                expected = http.send(
                                HttpRequest.newBuilder(url)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofLines())
                        .body()
                        .toList();
            }
            assertThat(expected).contains("data: {\"text\":\"\u00e9\u4e2d\ud83d\ude00\"}", ": ping", "data: [DONE]");
            try (SseClient client = new SseClient(url)) {
                for (int round = 0; round < 3; round++) {
                    List<String> lines = new ArrayList<>();
                    assertThat(client.post("{}", lines::add)).isEqualTo(200);
                    assertThat(lines).as("round %d", round).isEqualTo(expected);
                }
            }
            try (SseClient busy = new SseClient(url.resolve("/busy"))) {
                List<String> lines = new ArrayList<>();
                assertThat(busy.post("{}", lines::add)).isEqualTo(429);
                assertThat(lines).containsExactly("{\"error\":{\"message\":\"busy\"}}");
                assertThat(busy.post("{}", lines::add)).isEqualTo(429);
            }
        } finally {
            server.stop(0);
        }
    }
}
