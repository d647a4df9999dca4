package dev.kiln.train.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kiln.train.generate.GptLanguageModel.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The host-side inputs of one decode step (token ids, positions, KV rows to write and read, the
 * attention mask, the rows whose logits are needed), kept across steps and grown only when a
 * step needs more, so steady decoding allocates nothing per token on the Java side. Arrays are
 * handed to the engine in direct buffers that its arrays read in place.
 *
 * <p>Not thread-safe: the owning model serialises steps.
 */
final class StepBuffers {

    int[] ids = new int[64];
    int[] pos = new int[64];
    long[] writeRows = new long[64];
    long[] readRows = new long[1024];
    long[] logitRows = new long[64];
    float[] mask = new float[4096];
    /** The sessions that draw a token this step, and their draws. */
    private Session[] sampleRows = new Session[64];

    int[] drawn = new int[64];
    /** The most attention groups of a step: the one-token rows and the prompt chunks. */
    static final int GROUPS = 2;

    private final ByteBuffer[] staging = new ByteBuffer[4 + 2 * GROUPS];

    /** Staging areas: one per kind of input (and group), since the engine's arrays alias them (no copy). */
    static final int IDS = 0;

    static final int POS = 1;
    static final int WRITE = 2;
    static final int LOGIT_ROWS = 3;

    /** The staging area of group {@code g}'s pool rows to read. */
    static int read(int g) {
        return 4 + g;
    }

    /** The staging area of group {@code g}'s attention mask. */
    static int mask(int g) {
        return 4 + GROUPS + g;
    }

    /** Room for {@code n} sessions drawing a token (the array's entries are left null after a step). */
    Session[] sampleRows(int n) {
        if (sampleRows.length < n) {
            sampleRows = new Session[Math.max(n, sampleRows.length * 2)];
            drawn = new int[sampleRows.length];
        }
        return sampleRows;
    }

    /**
     * Makes room for {@code rows} query rows in all, {@code reads} pool rows to read and {@code
     * maskCells} mask entries (each group's rows times its width, summed over the groups).
     */
    void ensure(int rows, long reads, long maskCells) {
        if (ids.length < rows) {
            int n = Math.max(rows, ids.length * 2);
            ids = new int[n];
            pos = new int[n];
            writeRows = new long[n];
            logitRows = new long[n];
        }
        if (reads > Integer.MAX_VALUE - 8 || maskCells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "a step of " + rows + " rows over " + reads + " cached positions is too large");
        }
        if (readRows.length < reads) {
            readRows = new long[(int) Math.max(reads, Math.min(Integer.MAX_VALUE - 8, readRows.length * 2L))];
        }
        if (mask.length < maskCells) {
            mask = new float[(int) Math.max(maskCells, Math.min(Integer.MAX_VALUE - 8, mask.length * 2L))];
        }
    }

    NDArray ints(NDManager m, int slot, int[] src, int n, Shape shape) {
        ByteBuffer b = slot(slot, n * 4L);
        b.asIntBuffer().put(src, 0, n);
        return m.create(b, shape, DataType.INT32);
    }

    NDArray longs(NDManager m, int slot, long[] src, int n) {
        ByteBuffer b = slot(slot, n * 8L);
        b.asLongBuffer().put(src, 0, n);
        return m.create(b, new Shape(n), DataType.INT64);
    }

    /**
     * {@code src[from..from+n)} repeated for each of {@code heads} heads, head {@code j}'s copy
     * offset by {@code j·headRows}: the pool rows of every head, head-major, as one int64 index.
     */
    NDArray headRows(NDManager m, int slot, long[] src, int from, int n, int heads, long headRows) {
        ByteBuffer b = slot(slot, (long) heads * n * 8L);
        java.nio.LongBuffer l = b.asLongBuffer();
        for (int j = 0; j < heads; j++) {
            long off = j * headRows;
            for (int i = from; i < from + n; i++) {
                l.put(src[i] + off);
            }
        }
        return m.create(b, new Shape((long) heads * n), DataType.INT64);
    }

    NDArray floats(NDManager m, int slot, float[] src, int from, int n, Shape shape) {
        ByteBuffer b = slot(slot, n * 4L);
        b.asFloatBuffer().put(src, from, n);
        return m.create(b, shape, DataType.FLOAT32);
    }

    /**
     * The first {@code bytes} of staging area {@code slot}. The engine's array reads the area in
     * place, so an area is rewritten only by the next step, after the step's arrays are closed.
     */
    private ByteBuffer slot(int slot, long bytes) {
        ByteBuffer b = staging[slot];
        if (b == null || b.capacity() < bytes) {
            long cap = Math.max(Math.max(bytes, 256), b == null ? 0 : b.capacity() * 2L);
            b = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, cap))
                    .order(ByteOrder.nativeOrder());
            staging[slot] = b;
        }
        b.clear().limit((int) bytes);
        return b;
    }
}
