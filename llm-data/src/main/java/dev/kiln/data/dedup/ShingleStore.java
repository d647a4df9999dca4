package dev.kiln.data.dedup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Sorted distinct shingle hashes of every document, spilled to a file, for exact Jaccard. */
final class ShingleStore implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final PrimitiveLists.Longs offsets = new PrimitiveLists.Longs(1 << 12);
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
    private long written;
    private ByteBuffer readA = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());

    ShingleStore(Path workDir) throws IOException {
        this.file = Files.createTempFile(workDir, "near-dedup-", ".shingles");
        this.channel = FileChannel.open(
                file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        offsets.add(0);
    }

    /** Appends the next document's sorted distinct shingles. */
    void append(long[] set) throws IOException {
        for (long v : set) {
            if (buffer.remaining() < 8) {
                drain();
            }
            buffer.putLong(v);
        }
        written += 8L * set.length;
        offsets.add(written);
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    void finishWriting() throws IOException {
        drain();
    }

    /** Exact Jaccard similarity of two documents' shingle sets (0 when both are empty). */
    double jaccard(int a, int b) throws IOException {
        int na = load(a, 0);
        int nb = load(b, 1);
        return MinHasher.jaccard(sets[0], na, sets[1], nb);
    }

    private final long[][] sets = {new long[1 << 13], new long[1 << 13]};

    /** Reads a document's set into {@code sets[which]}; returns its size. */
    private int load(int doc, int which) throws IOException {
        readA = read(doc, readA);
        int n = readA.remaining() / 8;
        if (sets[which].length < n) {
            sets[which] = new long[Integer.highestOneBit(n) << 1];
        }
        readA.asLongBuffer().get(sets[which], 0, n);
        return n;
    }

    private ByteBuffer read(int doc, ByteBuffer buf) throws IOException {
        long start = offsets.get(doc);
        int len = (int) (offsets.get(doc + 1) - start);
        if (buf.capacity() < len) {
            buf = ByteBuffer.allocate(Integer.highestOneBit(len) << 1).order(ByteOrder.nativeOrder());
        }
        buf.clear().limit(len);
        long pos = start;
        while (buf.hasRemaining()) {
            int r = channel.read(buf, pos);
            if (r < 0) {
                throw new IOException("shingle spill file " + file + " is truncated");
            }
            pos += r;
        }
        buf.flip();
        return buf;
    }

    /** Sorts and de-duplicates {@code a[0, n)} in place; returns the distinct count. */
    static int sortUnique(long[] a, int n) {
        java.util.Arrays.sort(a, 0, n);
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (w == 0 || a[i] != a[w - 1]) {
                a[w++] = a[i];
            }
        }
        return w;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }
}
