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
 * Sorted distinct shingle hashes of every document, spilled to a file and read back through a
 * memory-mapped segment (outside the Java heap) for exact Jaccard; the last set read on each side
 * is kept, since a bucket compares one document with several earlier ones in a row. As {@link
 * SignatureStore}, the map is a {@link MemorySegment} (no size limit, no reflective set-up).
 */
final class ShingleStore implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final PrimitiveLists.Longs offsets = new PrimitiveLists.Longs(1 << 12);
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
    private long written;

    ShingleStore(Path workDir) throws IOException {
        this.file = WorkFiles.create(workDir, "near-dedup-", ".shingles");
        this.channel = FileChannel.open(
                file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        offsets.add(0);
    }

    /** Appends the next document's sorted distinct shingles (one bulk copy per buffer's worth). */
    void append(long[] set) throws IOException {
        append(set, set.length);
    }

    /** Appends {@code set[0, n)}, the next document's sorted distinct shingles. */
    void append(long[] set, int n) throws IOException {
        for (int i = 0; i < n; ) {
            int fit = Math.min(buffer.remaining() / 8, n - i);
            buffer.asLongBuffer().put(set, i, fit);
            buffer.position(buffer.position() + fit * 8);
            i += fit;
            if (!buffer.hasRemaining()) {
                drain();
            }
        }
        written += 8L * n;
        offsets.add(written);
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
        if (written > 0) {
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, written, arena);
        }
    }

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private final Arena arena = Arena.ofShared();
    private MemorySegment map = MemorySegment.NULL;

    /** Exact Jaccard similarity of two documents' shingle sets (0 when both are empty). */
    double jaccard(int a, int b) {
        int na = load(a, 0);
        int nb = load(b, 1);
        return MinHasher.jaccard(sets[0], na, sets[1], nb);
    }

    /**
     * Whether the exact Jaccard similarity of two documents' sets reaches {@code threshold}; a pair
     * whose set sizes alone rule it out ({@code min/max < threshold}) is not read.
     */
    boolean jaccardAtLeast(int a, int b, double threshold) {
        long sa = offsets.get(a + 1) - offsets.get(a);
        long sb = offsets.get(b + 1) - offsets.get(b);
        if ((double) Math.min(sa, sb) < threshold * Math.max(sa, sb)) {
            return false;
        }
        return jaccard(a, b) >= threshold;
    }

    private final long[][] sets = {new long[1 << 13], new long[1 << 13]};
    private final int[] loaded = {-1, -1};
    private final int[] loadedSize = new int[2];

    /** Reads a document's set into {@code sets[which]} (unless it is there already); returns its size. */
    private int load(int doc, int which) {
        if (loaded[which] == doc) {
            return loadedSize[which];
        }
        long from = offsets.get(doc);
        int n = (int) ((offsets.get(doc + 1) - from) / 8);
        if (sets[which].length < n) {
            sets[which] = new long[Integer.highestOneBit(n) << 1];
        }
        MemorySegment.copy(map, LONG, from, sets[which], 0, n);
        loaded[which] = doc;
        loadedSize[which] = n;
        return n;
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
