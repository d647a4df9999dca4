package dev.kiln.train.metrics;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<time>.<host>.<pid>.<n>}) without
 * TensorFlow: TFRecord framing (little-endian {@code uint64} length, masked CRC-32C of the length,
 * the bytes, masked CRC-32C of the bytes) around {@code tensorboard.Event} protocol buffers encoded
 * by hand: a {@code file_version} event first ({@code brain.Event:2}), then {@code summary}
 * events whose values carry a {@code tag} and a {@code simple_value}, and {@code session_log}
 * START events so TensorBoard drops steps a resumed run overwrites.
 *
 * <pre>{@code
 * try (TfEventsWriter w = TfEventsWriter.create(Path.of("runs/tiny"))) {
 *     w.scalars(1, Map.of("train/loss", 5.2));
 * }
 * }</pre>
 */
public final class TfEventsWriter implements Closeable {

    /** The {@code file_version} TensorBoard expects. */
    public static final String FILE_VERSION = "brain.Event:2";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path file;
    private final OutputStream out;
    private final Proto event = new Proto();
    private final Proto summary = new Proto();
    private final Proto value = new Proto();
    private final byte[] header = new byte[12];
    private final byte[] footer = new byte[4];
    private final CRC32C crc = new CRC32C();

    private TfEventsWriter(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
        event.clear();
        event.fixed64(1, Double.doubleToRawLongBits(now()));
        event.string(3, FILE_VERSION);
        record(event);
    }

    /** A new event file in {@code dir} (created if needed). */
    public static TfEventsWriter create(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = "events.out.tfevents." + (System.currentTimeMillis() / 1000) + "." + host + "."
                + ProcessHandle.current().pid() + "." + COUNTER.getAndIncrement();
        return new TfEventsWriter(dir.resolve(name));
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** One event at {@code step} holding a scalar per tag ({@code simple_value}, float32). */
    public void scalars(long step, Map<String, ? extends Number> values) throws IOException {
        summary.clear();
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            value.clear();
            value.string(1, e.getKey());
            value.fixed32(2, Float.floatToRawIntBits(e.getValue().floatValue()));
            summary.message(1, value);
        }
        event.clear();
        event.fixed64(1, Double.doubleToRawLongBits(now()));
        event.varint(2, step);
        event.message(5, summary);
        record(event);
    }

    /**
     * A {@code SessionLog} START at {@code step}: TensorBoard discards what earlier files logged at
     * this step or later (a run resumed from an older checkpoint).
     */
    public void sessionStart(long step) throws IOException {
        value.clear();
        value.varint(1, 1); // SessionStatus.START
        event.clear();
        event.fixed64(1, Double.doubleToRawLongBits(now()));
        event.varint(2, step);
        event.message(7, value);
        record(event);
    }

    /** Flushes the written events to the file. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void record(Proto p) throws IOException {
        long len = p.size;
        for (int i = 0; i < 8; i++) {
            header[i] = (byte) (len >>> (8 * i));
        }
        putInt(header, 8, masked(header, 0, 8));
        out.write(header);
        out.write(p.buf, 0, p.size);
        putInt(footer, 0, masked(p.buf, 0, p.size));
        out.write(footer);
    }

    /** TFRecord's masked CRC-32C: rotate right by 15 bits, add 0xa282ead8. */
    int masked(byte[] b, int off, int len) {
        crc.reset();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** A reusable protocol-buffer encoder for the few wire types events need. */
    private static final class Proto {
        byte[] buf = new byte[256];
        int size;

        void clear() {
            size = 0;
        }

        private void ensure(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        private void rawVarint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte) v;
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        void varint(int field, long v) {
            tag(field, 0);
            rawVarint(v);
        }

        void fixed64(int field, long v) {
            tag(field, 1);
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[size++] = (byte) (v >>> (8 * i));
            }
        }

        void fixed32(int field, int v) {
            tag(field, 5);
            ensure(4);
            for (int i = 0; i < 4; i++) {
                buf[size++] = (byte) (v >>> (8 * i));
            }
        }

        void bytes(int field, byte[] b, int off, int len) {
            tag(field, 2);
            rawVarint(len);
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        void string(int field, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            bytes(field, b, 0, b.length);
        }

        void message(int field, Proto p) {
            bytes(field, p.buf, 0, p.size);
        }
    }
}
