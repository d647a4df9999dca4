package dev.kiln.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client for the load scenario: one kept-alive connection, read by the calling
 * (platform) thread straight from the socket, so each streamed event costs the client one read
 * and no hand-off between a selector thread, an executor and a subscriber (the JDK's HttpClient
 * took as much CPU as the server's own request threads on the two shared cores). Decodes chunked
 * and Content-Length bodies and hands the body over line by line, as {@code BodyHandlers.ofLines()}.
 * Not thread-safe: one per client thread.
 */
final class SseClient implements AutoCloseable {

    /** Receives the response body's lines (without the line end). */
    interface Lines {
        void line(String line) throws IOException;
    }

    private final URI url;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] line = new byte[1024];
    private int lineLength;

    SseClient(URI url) {
        this.url = url;
    }

    /**
     * POSTs {@code json} to the URL and passes every line of the answer's body to {@code lines}.
     *
     * @return the HTTP status
     */
    int post(String json, Lines lines) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(json, lines);
        } catch (IOException e) {
            close();
            if (!reused || lineLength >= 0) {
                throw e;
            }
            return exchange(json, lines); // the server closed the idle connection: once more, afresh
        }
    }

    private int exchange(String json, Lines lines) throws IOException {
        lineLength = -1; // nothing of the answer read yet
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()));
            in = new BufferedInputStream(socket.getInputStream(), 16384);
            out = socket.getOutputStream();
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String status = readHeaderLine();
        if (status == null || !status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = readHeaderLine(); !h.isEmpty(); h = readHeaderLine()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        lineLength = 0;
        if (chunked) {
            while (true) {
                String size = readHeaderLine();
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                if (n == 0) {
                    while (!readHeaderLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body(n, lines);
                if (!readHeaderLine().isEmpty()) {
                    throw new IOException("a chunk does not end with CRLF");
                }
            }
        } else if (length >= 0) {
            body(length, lines);
        } else {
            body(Long.MAX_VALUE, lines); // until the server closes
            close = true;
        }
        if (lineLength > 0) {
            emit(lines);
        }
        if (close) {
            close();
        }
        return code;
    }

    /** Reads {@code n} body bytes (or up to the end of the stream when {@code n} is Long.MAX_VALUE), splitting lines. */
    private void body(long n, Lines lines) throws IOException {
        for (long i = 0; i < n; i++) {
            int b = in.read();
            if (b < 0) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new EOFException("the connection closed inside a response body");
            }
            if (b == '\n') {
                emit(lines);
            } else {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = (byte) b;
            }
        }
    }

    private void emit(Lines lines) throws IOException {
        int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        lineLength = 0;
        lines.line(new String(line, 0, n, StandardCharsets.UTF_8));
    }

    /** One CRLF-ended line of the status, headers or chunk framing (ASCII). */
    private String readHeaderLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed inside a response head");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
