package dev.kiln.data.dedup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * MinHash signatures of every document, spilled to a file in input order and read back (outside
 * the Java heap: into a direct buffer when small, else memory-mapped) for verification.
 */
final class SignatureStore implements Closeable {

    private static final int CHUNK_BYTES = 1 << 30;

    private final int k;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long docs;
    private ByteBuffer[] maps;
    private java.nio.IntBuffer[] chunks;
    private final int[] scratchA;
    private final int[] scratchB;
    private int docsPerChunk;
    private int loadedA = -1;
    private int loadedB = -1;

    private final long readBackLimit;

    /** A store of {@code k}-position signatures in {@code workDir}, read back as {@link WorkFiles#readBack} decides. */
    SignatureStore(Path workDir, int k) throws IOException {
        this(workDir, k, WorkFiles.READ_BACK_LIMIT);
    }

    /** A store whose file is read back into memory up to {@code readBackLimit} bytes, else mapped. */
    SignatureStore(Path workDir, int k, long readBackLimit) throws IOException {
        this.k = k;
        this.readBackLimit = readBackLimit;
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

    /** Ends writing and makes the file readable ({@link WorkFiles#readBack}), in chunks of at most 1 GiB. */
    void finishWriting() throws IOException {
        drain();
        docsPerChunk = Math.max(1, CHUNK_BYTES / (4 * k));
        int n = (int) ((docs + docsPerChunk - 1) / docsPerChunk);
        maps = new ByteBuffer[n];
        chunks = new java.nio.IntBuffer[n];
        for (int c = 0; c < n; c++) {
            long start = (long) c * docsPerChunk * 4 * k;
            long len = Math.min((long) docsPerChunk * 4 * k, docs * 4L * k - start);
            maps[c] = WorkFiles.readBack(channel, start, len, docs * 4L * k, readBackLimit);
            chunks[c] = maps[c].order(ByteOrder.nativeOrder()).asIntBuffer();
        }
    }

    /** Reads the signature of a document into {@code out}. */
    void read(int doc, int[] out) {
        chunks[doc / docsPerChunk].get((doc % docsPerChunk) * k, out, 0, k);
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
        chunks = null;
        maps = null;
        channel.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a mapped file cannot be deleted on some platforms until it is unmapped; the caller's
            // work dir is deleted afterwards anyway
        }
    }
}
