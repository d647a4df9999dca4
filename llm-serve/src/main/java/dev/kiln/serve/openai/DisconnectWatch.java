package dev.kiln.serve.openai;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the client of a request went away while its answer is still being computed, before
 * any byte of the response is written (a non-streaming completion), so that its generation can be
 * cancelled instead of running for nobody.
 *
 * <p>Jetty 12 stops reading an HTTP/1 connection while its request is handled, so a client that
 * closes its socket goes unnoticed until the response is written. Once the request body has been
 * read, this watch asks the connection's {@link EndPoint} to report when the socket becomes
 * readable ({@link EndPoint#tryFillInterested}: no thread waits, no polling). Readable then means
 * either end of stream (the client closed: {@code onGone} runs at once) or bytes of a pipelined next
 * request, which a non-blocking read cannot give back: the watch stops and {@link #pipelined()}
 * tells the caller to close the connection after the response (a pipelining client retries
 * unanswered requests, RFC 9112 section 9.3.2). A client that only half-closes its side counts
 * as gone, as in nginx. For HTTP/2 and 3, where the client resets its stream instead, Jetty calls the
 * request's failure listeners, which the watch also registers.
 *
 * <p>{@link #close()} must be called before the response is written: it withdraws the interest so
 * that the connection reads its next request itself.
 */
final class DisconnectWatch implements AutoCloseable, Callback {

    private static final Logger LOG = LoggerFactory.getLogger(DisconnectWatch.class);

    private final Runnable onGone;
    private final AbstractEndPoint endPoint;
    private final ByteBuffer scratch = ByteBuffer.allocate(64);
    private boolean registered;
    private boolean closed;
    private boolean pipelined;
    private boolean gone;

    private DisconnectWatch(Runnable onGone, AbstractEndPoint endPoint) {
        this.onGone = onGone;
        this.endPoint = endPoint;
    }

    /**
     * Starts watching the connection of {@code request}, whose body must have been read already;
     * {@code onGone} runs (once, on a Jetty thread) if the client goes away before {@link #close()}.
     * When the connection cannot be watched (not Jetty, an unusual endpoint), nothing is watched.
     */
    static DisconnectWatch start(HttpServletRequest request, Runnable onGone) {
        ServletContextRequest core;
        try {
            core = ServletContextRequest.getServletContextRequest(request);
        } catch (RuntimeException e) {
            core = null;
        }
        if (core == null) {
            return new DisconnectWatch(onGone, null);
        }
        EndPoint ep = core.getConnectionMetaData().getConnection().getEndPoint();
        HttpVersion v = core.getConnectionMetaData().getHttpVersion();
        boolean http1 = v == HttpVersion.HTTP_1_1 || v == HttpVersion.HTTP_1_0;
        DisconnectWatch w = new DisconnectWatch(onGone, http1 && ep instanceof AbstractEndPoint a ? a : null);
        core.addFailureListener(w::failed);
        synchronized (w) {
            if (w.endPoint != null) {
                w.registered = w.endPoint.tryFillInterested(w);
            }
        }
        return w;
    }

    /** The socket became readable: end of stream, a reset, or bytes of a pipelined request. */
    @Override
    public void succeeded() {
        boolean fire = false;
        synchronized (this) {
            registered = false;
            if (closed || gone) {
                return;
            }
            try {
                scratch.clear().limit(0); // Jetty's fill appends after the limit
                int n = endPoint.fill(scratch);
                if (n < 0) {
                    fire = gone = true;
                } else if (n > 0) {
                    pipelined = true; // the client is there; its next request's bytes are gone
                } else {
                    registered = endPoint.tryFillInterested(this);
                }
            } catch (IOException e) {
                fire = gone = true; // reset by peer
            }
        }
        if (fire) {
            LOG.debug("client closed the connection before the response");
            onGone.run();
        }
    }

    /** The endpoint failed or closed (or, for HTTP/2, the stream was reset). */
    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            registered = false;
            if (closed || gone) {
                return;
            }
            gone = true;
        }
        LOG.debug("the request's connection failed: {}", cause.toString());
        onGone.run();
    }

    /** Whether the client went away. */
    public synchronized boolean gone() {
        return gone;
    }

    /**
     * Whether bytes of a pipelined request were read while watching: the response must close the
     * connection ({@code Connection: close}).
     */
    public synchronized boolean pipelined() {
        return pipelined;
    }

    /** Stops watching; call it before writing the response. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registered) {
            registered = false;
            // Only this watch registers interest while the request is handled, so this fails our
            // own callback (which returns at once: closed is set).
            endPoint.getFillInterest().onFail(new CancellationException("the response is being written"));
        }
    }
}
