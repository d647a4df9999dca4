package dev.kiln.core.model;

/**
 * A live view of a model's KV cache pool: fixed-size blocks of token positions, each held by
 * running sessions, kept for prefix reuse (evictable), or free.
 *
 * <pre>{@code
 * model.kvCache().ifPresent(kv -> System.out.println(kv.usedBlocks() + "/" + kv.totalBlocks()));
 * }</pre>
 */
public interface KvCacheStats {

    /** Token positions per block. */
    int blockSize();

    /** Blocks in the pool. */
    int totalBlocks();

    /** Blocks held or reserved by open sessions. */
    int usedBlocks();

    /** Blocks holding a cached prefix that no open session uses (reusable, evicted when needed). */
    int cachedBlocks();

    /** Blocks neither used nor cached. */
    default int freeBlocks() {
        return totalBlocks() - usedBlocks() - cachedBlocks();
    }

    /** Bytes of keys and values one token position takes over all layers. */
    long bytesPerToken();

    /** Whether prompts reuse the keys and values of earlier sequences with the same prefix. */
    boolean prefixCaching();

    /** Prompt tokens reused from the prefix cache since the model was opened. */
    long prefixHitTokens();
}
