package dev.kiln.data.dedup;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * MinHash signatures of every document, spilled to a file in input order and read back through a
 * memory-mapped segment (outside the Java heap) for verification. The map is a {@link
 * MemorySegment} rather than a {@code MappedByteBuffer}: one segment covers any file size, and
 * mapping it does not go through the reflective buffer constructor, whose method handles are spun
 * at run time (tens of milliseconds of a short run's start-up).
 */
final class SignatureStore implements Closeable {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final int k;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long docs;
    private final Arena arena = Arena.ofShared();
    private MemorySegment map = MemorySegment.NULL;
    private final int[] scratchA;
    private final int[] scratchB;
    private int loadedA = -1;
    private int loadedB = -1;

    SignatureStore(Path workDir, int k) throws IOException {
        this.k = k;
        this.file = WorkFiles.create(workDir, "near-dedup-", ".sig");
        this.channel = FileChannel.open(
                file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.buffer = ByteBuffer.allocateDirect(Math.max(1 << 20, 4 * k)).order(ByteOrder.nativeOrder());
        this.scratchA = new int[k];
        this.scratchB = new int[k];
    }

    /** Appends {@code n} signatures stored back to back in {@code sigs}. */
    void append(int[] sigs, int n) throws IOException {
        int total = n * k;
        for (int i = 0; i < total; ) {
            int fit = Math.min(buffer.remaining() / 4, total - i);
            buffer.asIntBuffer().put(sigs, i, fit);
            buffer.position(buffer.position() + fit * 4);
            i += fit;
            if (!buffer.hasRemaining()) {
                drain();
            }
        }
        docs += n;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Ends writing and maps the file for reading. */
    void finishWriting() throws IOException {
        drain();
        if (docs > 0) {
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, docs * 4L * k, arena);
        }
    }

    /** Reads the signature of a document into {@code out}. */
    void read(int doc, int[] out) {
        MemorySegment.copy(map, INT, (long) doc * 4L * k, out, 0, k);
    }

    /** Positions where the signatures of two documents agree. */
    int equalCount(int a, int b) {
        int[] x = scratchA;
        int[] y = scratchB;
        if (a != loadedA) {
            read(a, x);
            loadedA = a;
        }
        if (b != loadedB) {
            read(b, y);
            loadedB = b;
        }
        int eq = 0;
        for (int i = 0; i < k; i++) {
            eq += x[i] == y[i] ? 1 : 0;
        }
        return eq;
    }

    /** Estimated Jaccard similarity of two documents. */
    double estimate(int a, int b) {
        return (double) equalCount(a, b) / k;
    }

    @Override
    public void close() throws IOException {
        map = MemorySegment.NULL;
        try {
            arena.close();
        } finally {
            channel.close();
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a mapped file cannot be deleted on some platforms until it is unmapped; the caller's
            // work dir is deleted afterwards anyway
        }
    }
}
