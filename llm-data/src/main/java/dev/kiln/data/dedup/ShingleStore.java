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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sorted distinct shingle hashes of every document, for exact Jaccard. While they take at most
 * {@code memoryLimit} bytes ({@link WorkFiles#READ_BACK_LIMIT}: 64 MiB or an eighth of the heap) they
 * stay on the heap in the arrays the signature pass filled, one per batch, not copied; past that,
 * everything is spilled to a file in {@code workDir} and read back memory-mapped ({@link
 * WorkFiles#readBack}). The last set read on each side is kept, since a bucket compares one document
 * with several earlier ones in a row.
 */
final class ShingleStore implements Closeable {

    private final Path workDir;
    private Path file;
    private FileChannel channel;
    /** Byte offset of each document's set in the sets' concatenation (= the file, once spilled). */
    private final PrimitiveLists.Longs offsets = new PrimitiveLists.Longs(1 << 12);

    private ByteBuffer buffer;
    private long written;

    private final long memoryLimit;
    /** Before a spill: the arrays that hold the sets, and each document's array and first index. */
    private final List<long[]> chunks = new ArrayList<>();

    private final PrimitiveLists.Ints docChunk = new PrimitiveLists.Ints(1 << 12);
    private final PrimitiveLists.Ints docStart = new PrimitiveLists.Ints(1 << 12);
    private boolean spilled;

    /** A store in {@code workDir} that keeps up to {@link WorkFiles#READ_BACK_LIMIT} bytes on the heap. */
    ShingleStore(Path workDir) {
        this(workDir, WorkFiles.READ_BACK_LIMIT);
    }

    /** A store that keeps up to {@code memoryLimit} bytes of sets on the heap, else spills them to a file. */
    ShingleStore(Path workDir, long memoryLimit) {
        this.workDir = workDir;
        this.memoryLimit = memoryLimit;
        offsets.add(0);
    }

    /** Appends the next document's sorted distinct shingles. */
    void append(long[] set) throws IOException {
        append(set, set.length);
    }

    /** Appends {@code set[0, n)}, the next document's sorted distinct shingles. */
    void append(long[] set, int n) throws IOException {
        append(set, 0, n);
    }

    /** Appends {@code set[from, from + n)}, the next document's sorted distinct shingles (copied). */
    void append(long[] set, int from, int n) throws IOException {
        appendAll(Arrays.copyOfRange(set, from, from + n), new int[] {n}, 1);
    }

    /**
     * Appends the sets of {@code count} documents, one after another in {@code sets}: document
     * {@code d}'s ends at {@code ends[d]}. The store may keep {@code sets} itself: the caller must
     * not change it afterwards.
     */
    void appendAll(long[] sets, int[] ends, int count) throws IOException {
        long bytes = count == 0 ? 0 : 8L * ends[count - 1];
        if (!spilled && written + bytes > memoryLimit) {
            spill();
        }
        int from = 0;
        if (!spilled) {
            int c = chunks.size();
            chunks.add(sets);
            for (int d = 0; d < count; d++) {
                docChunk.add(c);
                docStart.add(from);
                written += 8L * (ends[d] - from);
                offsets.add(written);
                from = ends[d];
            }
            return;
        }
        for (int d = 0; d < count; d++) {
            write(sets, from, ends[d] - from);
            written += 8L * (ends[d] - from);
            offsets.add(written);
            from = ends[d];
        }
    }

    /** Moves the sets kept on the heap to the file; later sets go there too. */
    private void spill() throws IOException {
        file = WorkFiles.create(workDir, "near-dedup-", ".shingles");
        channel = FileChannel.open(
                file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
        spilled = true;
        for (int d = 0; d < docChunk.size; d++) {
            write(chunks.get(docChunk.a[d]), docStart.a[d], (int) ((offsets.get(d + 1) - offsets.get(d)) / 8));
        }
        chunks.clear();
        docChunk.clear();
        docStart.clear();
    }

    /** Writes {@code set[from, from + n)} to the file (one bulk copy per buffer's worth). */
    private void write(long[] set, int from, int n) throws IOException {
        for (int i = 0; i < n; ) {
            int fit = Math.min(buffer.remaining() / 8, n - i);
            buffer.asLongBuffer().put(set, from + i, fit);
            buffer.position(buffer.position() + fit * 8);
            i += fit;
            if (!buffer.hasRemaining()) {
                drain();
            }
        }
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
        if (!spilled) {
            return;
        }
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
            maps.add(WorkFiles.readBack(channel, start, offsets.get(e) - start, written, memoryLimit)
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
        if (!spilled) { // compared where they are, not copied
            return MinHasher.jaccard(
                    chunks.get(docChunk.a[a]),
                    docStart.a[a],
                    size(a),
                    chunks.get(docChunk.a[b]),
                    docStart.a[b],
                    size(b));
        }
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

    private int size(int doc) {
        return (int) ((offsets.get(doc + 1) - offsets.get(doc)) / 8);
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
        chunks.clear();
        if (channel == null) {
            return;
        }
        channel.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a mapped file cannot be deleted on some platforms until it is unmapped; the caller's
            // work dir is deleted afterwards anyway
        }
    }
}
