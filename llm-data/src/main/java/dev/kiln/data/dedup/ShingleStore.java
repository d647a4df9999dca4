package dev.kiln.data.dedup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sorted distinct shingle hashes of every document, spilled to a file and read back (outside the
 * Java heap: into a direct buffer when small, else memory-mapped; {@link WorkFiles#readBack}) for
 * exact Jaccard; the last set read on each side is kept, since a bucket compares one document with
 * several earlier ones in a row.
 */
final class ShingleStore implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final PrimitiveLists.Longs offsets = new PrimitiveLists.Longs(1 << 12);
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
    private long written;

    private final long readBackLimit;

    /** A store in {@code workDir}, read back into memory up to {@link WorkFiles#READ_BACK_LIMIT} bytes. */
    ShingleStore(Path workDir) throws IOException {
        this(workDir, WorkFiles.READ_BACK_LIMIT);
    }

    /** A store whose file is read back into memory up to {@code readBackLimit} bytes, else mapped. */
    ShingleStore(Path workDir, long readBackLimit) throws IOException {
        this.readBackLimit = readBackLimit;
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
        append(set, 0, n);
    }

    /** Appends {@code set[from, from + n)}, the next document's sorted distinct shingles. */
    void append(long[] set, int from, int n) throws IOException {
        for (int i = 0; i < n; ) {
            int fit = Math.min(buffer.remaining() / 8, n - i);
            buffer.asLongBuffer().put(set, from + i, fit);
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

    /**
     * Ends writing and makes the file readable ({@link WorkFiles#readBack}), in regions of whole
     * sets of at most 1 GiB.
     */
    void finishWriting() throws IOException {
        drain();
        int n = offsets.size - 1;
        PrimitiveLists.Ints firsts = new PrimitiveLists.Ints(4);
        java.util.List<LongBuffer> maps = new java.util.ArrayList<>();
        int d = 0;
        while (d < n) {
            long start = offsets.get(d);
            int e = d + 1;
            while (e < n && offsets.get(e + 1) - start <= REGION_BYTES) {
                e++;
            }
            firsts.add(d);
            maps.add(WorkFiles.readBack(channel, start, offsets.get(e) - start, written, readBackLimit)
                    .order(ByteOrder.nativeOrder())
                    .asLongBuffer());
            d = e;
        }
        regionFirst = java.util.Arrays.copyOf(firsts.a, firsts.size);
        regions = maps.toArray(new LongBuffer[0]);
    }

    private static final long REGION_BYTES = 1L << 30;
    private int[] regionFirst = new int[0];
    private LongBuffer[] regions = new LongBuffer[0];

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
        int r = java.util.Arrays.binarySearch(regionFirst, doc);
        if (r < 0) {
            r = -r - 2;
        }
        long base = offsets.get(regionFirst[r]);
        int from = (int) ((offsets.get(doc) - base) / 8);
        int n = (int) ((offsets.get(doc + 1) - offsets.get(doc)) / 8);
        if (sets[which].length < n) {
            sets[which] = new long[Integer.highestOneBit(n) << 1];
        }
        regions[r].get(from, sets[which], 0, n);
        loaded[which] = doc;
        loadedSize[which] = n;
        return n;
    }

    @Override
    public void close() throws IOException {
        regions = null;
        channel.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a mapped file cannot be deleted on some platforms until it is unmapped; the caller's
            // work dir is deleted afterwards anyway
        }
    }
}
