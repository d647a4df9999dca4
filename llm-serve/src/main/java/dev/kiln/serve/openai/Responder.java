package dev.kiln.serve.openai;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers one completion request, plain or chat: submits its sequences, then streams them as
 * Server-Sent Events or waits for them while watching the connection, and always cancels what is
 * left when the client goes away. Counts the requests being answered, so that a graceful shutdown
 * waits for their last bytes.
 */
final class Responder {

    /** nginx's status for a client that closed the connection before the response. */
    private static final int CLIENT_CLOSED_REQUEST = 499;

    private final AtomicInteger inFlight;
    private final StreamWaker waker;

    Responder(AtomicInteger inFlight, StreamWaker waker) {
        this.inFlight = inFlight;
        this.waker = waker;
    }

    /** Wakes the request threads that wait for the engine's events. */
    StreamWaker waker() {
        return waker;
    }

    void serve(Context ctx, CompletionParams p, Completions c) throws Exception {
        inFlight.incrementAndGet();
        try {
            c.submit();
            ResponseSink sink = new ResponseSink(ctx.res());
            try {
                if (p.stream) {
                    c.stream(sink);
                } else if (!awaitWatched(ctx, c)) {
                    return; // the client went away; its sequences were cancelled
                } else {
                    c.respond(sink);
                }
                sink.close(); // completes the response now, so a draining shutdown never cuts it
            } finally {
                c.cancel(); // no-op when everything finished; frees slots when the client left
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Waits for a non-streaming completion while watching its connection: a client that closes it
     * cancels the generation at the next decoding step (counted as cancelled sequences, answered
     * 499 in the access log and request metrics, as nginx does).
     *
     * @return false when the client went away
     */
    private static boolean awaitWatched(Context ctx, Completions c) throws InterruptedException {
        boolean delivered;
        boolean pipelined;
        try (DisconnectWatch watch = DisconnectWatch.start(ctx.req(), c::clientGone)) {
            delivered = c.await();
            watch.close();
            pipelined = watch.pipelined();
        }
        if (!delivered) {
            ctx.status(CLIENT_CLOSED_REQUEST);
            ctx.header("Connection", "close");
        } else if (pipelined) {
            ctx.header("Connection", "close");
        }
        return delivered;
    }

    /** Writes straight to the servlet response (no buffering of the whole body). */
    private static final class ResponseSink implements Completions.Sink {
        private final HttpServletResponse res;
        private OutputStream out;

        ResponseSink(HttpServletResponse res) {
            this.res = res;
        }

        @Override
        public void begin(int status, String contentType) {
            res.setStatus(status);
            res.setContentType(contentType);
            if (contentType.startsWith("text/event-stream")) {
                res.setHeader("Cache-Control", "no-cache");
                res.setHeader("X-Accel-Buffering", "no");
            }
        }

        @Override
        public OutputStream body() throws IOException {
            if (out == null) {
                out = res.getOutputStream();
            }
            return out;
        }

        @Override
        public void flush() throws IOException {
            body().flush();
        }

        void close() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // The client went away; nothing left to deliver.
                }
            }
        }
    }
}
