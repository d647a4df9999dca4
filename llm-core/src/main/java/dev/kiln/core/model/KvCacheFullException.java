package dev.kiln.core.model;

/**
 * The KV cache cannot hold a new session: either not now (sessions hold the memory; retry after
 * some finish) or not even when idle (the request needs more positions than the whole pool).
 */
public final class KvCacheFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int neededTokens;
    private final int capacityTokens;
    private final boolean fitsWhenIdle;

    /**
     * @param neededTokens the cache slots the request needs
     * @param capacityTokens the slots the cache has
     * @param fitsWhenIdle whether the request would fit once the other sessions finish (retry later) or never
     */
    public KvCacheFullException(String message, int neededTokens, int capacityTokens, boolean fitsWhenIdle) {
        super(message);
        this.neededTokens = neededTokens;
        this.capacityTokens = capacityTokens;
        this.fitsWhenIdle = fitsWhenIdle;
    }

    /** Token positions the session needs (prompt plus maximum new tokens). */
    public int neededTokens() {
        return neededTokens;
    }

    /** Token positions of the whole pool. */
    public int capacityTokens() {
        return capacityTokens;
    }

    /** Whether the session would fit in an idle pool (so waiting helps). */
    public boolean fitsWhenIdle() {
        return fitsWhenIdle;
    }
}
