package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream is cancelled and its batch slot is reused. */
class CancellationTest {

    /** Opens a streaming completion on a raw socket and reads until {@code chunks} data lines arrived. */
    /** The bytes of an HTTP/1.1 {@code POST /v1/completions} with {@code body}, for a raw socket. */
    static byte[] completionRequest(URI base, String body) {
        return ("POST /v1/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    static Socket openStream(URI base, int chunks) throws Exception {
        return openStream(base, chunks, 1500);
    }

    static Socket openStream(URI base, int chunks, int maxTokens) throws Exception {
        String body = "{\"prompt\":\"public \",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":true}";
        Socket s = new Socket(base.getHost(), base.getPort());
        OutputStream out = s.getOutputStream();
        out.write(completionRequest(base, body));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        int seen = 0;
        String line;
        while (seen < chunks && (line = in.readLine()) != null) {
            if (line.startsWith("data: {")) {
                seen++;
            }
        }
        assertThat(seen).isEqualTo(chunks);
        return s;
    }

    @Test
    void disconnectMidStreamCancelsAndTheSlotIsReused() throws Exception {
        // Batch of one: the second request can only run once the first one's slot is freed.
        try (Server server = start(Server.builder(), 2_000_000)) {
            URI base = server.url();
            Socket s = openStream(base, 5);
            assertThat(server.metrics().running()).isEqualTo(1);
            long cancelledBefore = server.metrics().cancelledCount();
            s.close(); // 1500 tokens at 2 ms each would take 3 s more
            long t0 = System.nanoTime();
            Http.Response next = Http.post(base, "/v1/completions", "{\"prompt\":\"class \",\"max_tokens\":5}");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(next.status()).isEqualTo(200);
            assertThat(ms).as("the next request reused the freed slot").isLessThan(2000);
            assertThat(server.metrics().cancelledCount()).isEqualTo(cancelledBefore + 1);
            assertThat(server.metrics().running()).isZero();
            assertThat(Http.get(base, "/metrics").body()).contains("kiln_cancelled_sequences_total 1");
        }
    }

    @Test
    void aNonStreamingClientThatDisconnectsIsCancelledAndTheSlotIsReused() throws Exception {
        // 1500 tokens at >= 5 ms per step: finishing on its own would take 7.5 s and would not
        // count as cancelled, so the counter below tells a cancellation from a natural end.
        try (Server server = start(Server.builder(), 5_000_000)) {
            URI base = server.url();
            long cancelledBefore = server.metrics().cancelledCount();
            String body = "{\"prompt\":\"public \",\"max_tokens\":1500,\"ignore_eos\":true}";
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.getOutputStream().write(completionRequest(base, body));
                s.getOutputStream().flush();
                // Generating (in the batch, with tokens out) before the client leaves.
                poll(() -> server.metrics().running() == 1 && server.metrics().generatedTokens() > 5);
                assertThat(server.metrics().cancelledCount()).isEqualTo(cancelledBefore);
            }
            poll(() -> server.metrics().cancelledCount() == cancelledBefore + 1);
            poll(() -> server.metrics().running() == 0);
            // Answered (to nobody) 499, as nginx logs a client that closed the request.
            poll(() -> server.metrics().requests("/v1/completions", 499) == 1);
            // The only slot is free again: a following request is served.
            Http.Response next = Http.post(base, "/v1/completions", "{\"prompt\":\"class \",\"max_tokens\":5}");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.json().get("choices").get(0).get("finish_reason").asText())
                    .isIn("length", "stop");
            String metrics = Http.get(base, "/metrics").body();
            assertThat(metrics).contains("kiln_cancelled_sequences_total 1");
        }
    }

    @Test
    void aNonStreamingClientThatLeavesWhileQueuedLeavesTheQueue() throws Exception {
        try (Server server = start(Server.builder(), 2_000_000);
                Socket busy = openStream(server.url(), 1)) { // holds the only batch slot
            URI base = server.url();
            String body = "{\"prompt\":\"class \",\"max_tokens\":50}";
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.getOutputStream().write(completionRequest(base, body));
                s.getOutputStream().flush();
                poll(() -> server.metrics().queued() == 1);
            }
            poll(() -> server.metrics().cancelledCount() == 1);
            assertThat(server.metrics().queued()).isZero();
            assertThat(server.metrics().running()).isEqualTo(1); // the stream is untouched
        }
    }

    @Test
    void nonStreamingClientsThatStayAreNotCancelled() throws Exception {
        try (Server server = Server.builder()
                .setModel(TestModels.paced(TestModels.ngram(), 1_000_000))
                .optPort(0)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30))) {
            URI base = server.url();
            for (int i = 0; i < 3; i++) { // the same keep-alive connection of the JDK client
                Http.Response r = Http.post(
                        base, "/v1/completions", "{\"prompt\":\"public \",\"max_tokens\":40,\"ignore_eos\":true}");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().get("usage").get("completion_tokens").asInt())
                        .isEqualTo(40);
            }
            assertThat(server.metrics().cancelledCount()).isZero();
        }
    }

    @Test
    void aPipelinedRequestReadWhileWatchingClosesTheConnectionAfterAFullAnswer() throws Exception {
        try (Server server = start(Server.builder(), 2_000_000)) {
            URI base = server.url();
            String body = "{\"prompt\":\"public \",\"max_tokens\":200,\"ignore_eos\":true}";
            byte[] request = completionRequest(base, body);
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
                poll(() -> server.metrics().running() == 1);
                out.write(request); // pipelined while the first runs
                out.flush();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
                assertThat(answer).contains("\"completion_tokens\":200");
            }
            assertThat(server.metrics().cancelledCount()).isZero();
        }
    }

    /** A server with one batch slot over the test model paced at {@code stepNanos} per step. */
    private static Server start(Server.Builder b, long stepNanos) throws InterruptedException {
        return b.setModel(TestModels.paced(TestModels.ngram(), stepNanos))
                .optPort(0)
                .optMaxBatchSize(1)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30));
    }

    /** Waits (generously: the machine may be loaded) until {@code condition} holds. */
    private static void poll(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 60 s").isLessThan(end);
            Thread.sleep(10);
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        try (Server server = start(Server.builder().optMaxQueueSize(0).optShutdownDeadline(Duration.ZERO), 2_000_000)) {
            URI base = server.url();
            try (Socket s = openStream(base, 1)) {
                Http.Response r = Http.post(base, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}");
                assertThat(r.status()).isEqualTo(429);
                assertThat(r.headers().firstValue("retry-after")).isPresent();
                assertThat(r.json().get("error").get("code").asText()).isEqualTo("queue_full");
            }
        }
    }
}
