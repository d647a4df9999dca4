package dev.kiln.train.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kiln.core.model.KvCacheFullException;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.train.GptConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The KV cache of every session of one model, as one preallocated tensor per layer for keys and
 * one for values ({@code [kv_heads·(blocks·block_size + 1), head_dim]} rows, head-major: the row of
 * position row {@code r} of head {@code j} is {@code j·headRows + r}; one row per head and token
 * position), handed out in fixed-size blocks (paged attention's layout). A step writes the new
 * positions in place and gathers each batch's rows with one index per layer, so no session's cache
 * is copied or restacked as it grows.
 *
 * <p>Block 0 is all zeros (padding reads it) and the last row is a write sink for padding; neither
 * is handed out. Full blocks are registered under their content and the content of every block
 * before them (vLLM's hashed prefix blocks), so a prompt that starts like an earlier sequence pins
 * the same blocks instead of recomputing them. Blocks no session holds stay cached until the pool
 * needs them, least recently released first.
 *
 * <p>Thread-safe for its bookkeeping: opening, allocating, registering and releasing blocks lock the
 * pool (briefly), so a prefill running beside the model's step can take blocks while the step
 * does; the counters read by {@link KvCacheStats} are volatile so metrics can be scraped
 * concurrently. The tensors themselves are not locked: each caller writes only its sessions' rows.
 */
final class KvBlockPool implements KvCacheStats, AutoCloseable {

    private final int blockSize;
    private final int blocks; // handed-out blocks are 1..blocks
    private final boolean prefix;
    private final long bytesPerToken;
    private final NDManager manager;
    final NDArray[] keys;
    final NDArray[] values;
    /** The padding write sink (a row of each head). */
    final long trashRow;
    /** Rows per head: head {@code j}'s row {@code r} is pool row {@code j·headRows + r}. */
    final long headRows;

    private final int[] refs;
    private final long[] seqOf; // registered content id of a block, 0 = none
    private final BlockKey[] keyOf;
    private final int[] free;
    private int freeTop;
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private final Map<BlockKey, Integer> byKey = new HashMap<>();
    private long nextSeq = 1;
    private int reserved;
    private volatile int used;
    private volatile int cached;
    private volatile long hitTokens;

    KvBlockPool(GptConfig c, NDManager parent, int tokens, int blockSize, boolean prefix) {
        this.blockSize = blockSize;
        this.blocks = Math.max(1, tokens / blockSize);
        this.prefix = prefix;
        this.bytesPerToken = bytesPerToken(c);
        this.manager = parent.newSubManager();
        long rows = (blocks + 1L) * blockSize + 1;
        this.trashRow = rows - 1;
        this.headRows = rows;
        // Head-major: a step gathers its sessions' rows of every head with one index, and the
        // attention reads the result as kv_heads·B matrices without another copy.
        Shape shape = new Shape(c.kvHeads() * rows, c.headDim());
        this.keys = new NDArray[c.layers()];
        this.values = new NDArray[c.layers()];
        try {
            for (int i = 0; i < keys.length; i++) {
                // Uninitialised (pages are committed as blocks are first written), except the zero block.
                keys[i] = manager.create(shape, DataType.FLOAT32);
                values[i] = manager.create(shape, DataType.FLOAT32);
                for (int j = 0; j < c.kvHeads(); j++) {
                    NDIndex zero = new NDIndex("{}:{}", j * rows, j * rows + blockSize);
                    keys[i].set(zero, 0f);
                    values[i].set(zero, 0f);
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.refs = new int[blocks + 1];
        this.seqOf = new long[blocks + 1];
        this.keyOf = new BlockKey[blocks + 1];
        this.free = new int[blocks];
        for (int b = blocks; b >= 1; b--) {
            free[freeTop++] = b;
        }
    }

    /** Bytes of keys and values per token position (float32, all layers). */
    static long bytesPerToken(GptConfig c) {
        return 2L * c.layers() * c.kvHeads() * c.headDim() * Float.BYTES;
    }

    /** The pool row of position {@code pos} of a sequence whose block table is {@code table}. */
    long row(int[] table, int pos) {
        return (long) table[pos / blockSize] * blockSize + pos % blockSize;
    }

    /**
     * Reserves blocks for a sequence of {@code prompt} then up to {@code total} positions, pinning
     * the cached blocks of the longest registered prefix of the prompt (leaving at least its last
     * token to compute, whose logits the first sample needs).
     *
     * @return the pinned prefix blocks (possibly none); the reservation is in {@code out[0]}
     */
    synchronized int[] open(int[] prompt, int total, int[] reservation) {
        int[] hits = new int[0];
        long parent = 0;
        if (prefix) {
            int maxBlocks = (prompt.length - 1) / blockSize;
            hits = new int[maxBlocks];
            int n = 0;
            while (n < maxBlocks) {
                Integer b = byKey.get(new BlockKey(parent, prompt, n * blockSize, blockSize));
                if (b == null) {
                    break;
                }
                hits[n++] = b;
                parent = seqOf[b];
            }
            hits = Arrays.copyOf(hits, n);
        }
        int needed = ceilDiv(total, blockSize);
        int fresh = needed - hits.length;
        for (int b : hits) {
            pin(b);
        }
        if (fresh > available()) {
            for (int i = hits.length - 1; i >= 0; i--) {
                unpin(hits[i]);
            }
            boolean fits = needed <= blocks;
            throw new KvCacheFullException(
                    "the KV cache cannot hold " + total + " more token positions "
                            + (fits
                                    ? "now (" + available() * blockSize + " free); retry later"
                                    : "(the whole cache holds " + capacityTokens() + ")"),
                    total,
                    capacityTokens(),
                    fits);
        }
        reserved += fresh;
        reservation[0] = fresh;
        hitTokens += (long) hits.length * blockSize;
        return hits;
    }

    int capacityTokens() {
        return blocks * blockSize;
    }

    private int available() {
        return freeTop + evictable.size() - reserved;
    }

    /** A fresh block for a sequence, from its reservation when it has one left. */
    synchronized int allocate(boolean fromReservation) {
        if (fromReservation) {
            reserved--;
        } else if (available() <= 0) {
            throw new IllegalArgumentException(
                    "the KV cache is full: the session outgrew its reservation of " + "positions and no block is free");
        }
        int b;
        if (freeTop > 0) {
            b = free[--freeTop];
        } else {
            Iterator<Integer> it = evictable.iterator();
            b = it.next();
            it.remove();
            cached = evictable.size();
            byKey.remove(keyOf[b]);
            keyOf[b] = null;
            seqOf[b] = 0;
        }
        refs[b] = 1;
        used++;
        return b;
    }

    private void pin(int b) {
        if (refs[b]++ == 0) {
            evictable.remove(b);
            cached = evictable.size();
            used++;
        }
    }

    private void unpin(int b) {
        if (--refs[b] == 0) {
            used--;
            if (keyOf[b] != null) {
                evictable.add(b);
                cached = evictable.size();
            } else {
                free[freeTop++] = b;
            }
        }
    }

    /**
     * Registers block {@code b}, holding {@code tokens[from..from+blockSize)} after the block with
     * content id {@code parent}; returns the content id to chain the next block on (an equal
     * block registered earlier keeps its place, and its id is returned).
     */
    synchronized long register(int b, long parent, int[] tokens, int from) {
        if (!prefix) {
            return 0;
        }
        BlockKey key = new BlockKey(parent, Arrays.copyOfRange(tokens, from, from + blockSize), 0, blockSize);
        Integer existing = byKey.get(key);
        if (existing != null) {
            return seqOf[existing];
        }
        byKey.put(key, b);
        keyOf[b] = key;
        seqOf[b] = nextSeq++;
        return seqOf[b];
    }

    /** Returns a sequence's blocks (last first, so a prefix outlives its tails) and unused reservation. */
    synchronized void release(int[] table, int count, int unusedReservation) {
        for (int i = count - 1; i >= 0; i--) {
            unpin(table[i]);
        }
        reserved -= unusedReservation;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int totalBlocks() {
        return blocks;
    }

    @Override
    public int usedBlocks() {
        return used;
    }

    @Override
    public int cachedBlocks() {
        return cached;
    }

    @Override
    public long bytesPerToken() {
        return bytesPerToken;
    }

    @Override
    public boolean prefixCaching() {
        return prefix;
    }

    @Override
    public long prefixHitTokens() {
        return hitTokens;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** A block's content: the id of the block before it and its tokens. */
    private static final class BlockKey {
        private final long parent;
        private final int[] tokens;
        private final int from;
        private final int length;
        private final int hash;

        BlockKey(long parent, int[] tokens, int from, int length) {
            this.parent = parent;
            this.tokens = tokens;
            this.from = from;
            this.length = length;
            int h = Long.hashCode(parent);
            for (int i = from; i < from + length; i++) {
                h = 31 * h + tokens[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BlockKey k
                    && k.hash == hash
                    && k.parent == parent
                    && Arrays.equals(tokens, from, from + length, k.tokens, k.from, k.from + k.length);
        }
    }

    /** A KV budget from bytes, or (0) a quarter of the machine's memory, at most 64 full contexts. */
    static int defaultTokens(GptConfig c, long bytes) {
        long perToken = KvBlockPool.bytesPerToken(c);
        if (bytes > 0) {
            return (int) Math.min(Integer.MAX_VALUE / 2, bytes / perToken);
        }
        long machine = 8L << 30;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            machine = os.getTotalMemorySize();
        }
        long fromMemory = machine / 4 / perToken;
        return (int) Math.min(Math.min(fromMemory, 64L * c.contextLength()), Integer.MAX_VALUE / 2);
    }
}
