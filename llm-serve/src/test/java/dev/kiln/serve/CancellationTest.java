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
    static Socket openStream(URI base, int chunks) throws Exception {
        String body = "{\"prompt\":\"public \",\"max_tokens\":1500,\"ignore_eos\":true,\"stream\":true}";
        Socket s = new Socket(base.getHost(), base.getPort());
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
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
        try (Server server = Server.builder()
                .setModel(TestModels.paced(TestModels.ngram(), 2_000_000))
                .optPort(0)
                .optMaxBatchSize(1)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30))) {
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
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        try (Server server = Server.builder()
                .setModel(TestModels.paced(TestModels.ngram(), 2_000_000))
                .optPort(0)
                .optMaxBatchSize(1)
                .optMaxQueueSize(0)
                .optShutdownDeadline(Duration.ZERO)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30))) {
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
