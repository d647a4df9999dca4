package dev.kiln.core.hash;

/**
 * A fast 64-bit hash over {@code char} and {@code int} data, in the style of wyhash: 4 chars (or 2
 * ints) are folded per step with a 64×64→128-bit multiply whose halves are xor-ed ("mum"). It
 * allocates nothing and reads {@link CharSequence}s in place, so tokenizers can hash a slice of a
 * document without copying it. Dedup signatures and indexes are built from it, so its outputs are
 * pinned by {@code Hash64Test}: a change here changes which documents dedup keeps.
 *
 * <p>Callers that fold a stream themselves (a shingle ring, a whitespace-collapsing scan) use
 * {@link #step} per 64-bit block, {@link #tail} for the last partial block and {@link #finish}.
 *
 * <p>Not a cryptographic hash (use {@link Sha256} for identities); not stable across Kiln versions
 * unless pinned as it is here.
 *
 * <pre>{@code
 * long h = Hash64.hashChars("class Main {}", 0, 5, 42L); // hash of "class" with seed 42
 * int slot = Hash64.slot(key, table.length - 1);       // open-addressing slot of a 64-bit key
 * }</pre>
 */
public final class Hash64 {

    private static final long P0 = 0xa0761d6478bd642fL;
    private static final long P1 = 0xe7037ed1a0b428dbL;
    private static final long P2 = 0x8ebc6af09c88c6e3L;
    private static final long P3 = 0x589965cc75374cc3L;

    private Hash64() {}

    /** The 128-bit product of {@code a} and {@code b}, its two halves xor-ed. */
    private static long mum(long a, long b) {
        return Math.multiplyHigh(a, b) ^ (a * b);
    }

    /**
     * Hash of {@code s[from, to)} with a seed.
     *
     * @param s the characters, read in place
     * @param from first index, inclusive
     * @param to last index, exclusive
     * @param seed picks one of a family of independent hashes
     * @return the 64-bit hash
     */
    public static long hashChars(CharSequence s, int from, int to, long seed) {
        long h = seed ^ P0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            long v = s.charAt(i)
                    | ((long) s.charAt(i + 1) << 16)
                    | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h = step(h, v);
        }
        long v = 0;
        for (int shift = 0; i < to; i++, shift += 16) {
            v |= (long) s.charAt(i) << shift;
        }
        return finish(tail(h, v, to - from));
    }

    /**
     * Hash of {@code a[from, to)} with a seed.
     *
     * @param a the values
     * @param from first index, inclusive
     * @param to last index, exclusive
     * @param seed picks one of a family of independent hashes
     * @return the 64-bit hash
     */
    public static long hashInts(int[] a, int from, int to, long seed) {
        long h = seed ^ P0;
        int i = from;
        for (; i + 2 <= to; i += 2) {
            long v = (a[i] & 0xFFFFFFFFL) | ((long) a[i + 1] << 32);
            h = step(h, v);
        }
        long v = i < to ? (a[i] & 0xFFFFFFFFL) : 0L;
        return finish(tail(h, v, to - from));
    }

    /**
     * Folds one full 64-bit block (4 chars or 2 ints) into a running hash.
     *
     * @param h the running hash
     * @param block the block's bits
     * @return the new running hash
     */
    public static long step(long h, long block) {
        return mum(block ^ P1, h ^ P2);
    }

    /**
     * Folds the last, partial block (zero-padded) and the input length into a running hash; {@link
     * #finish} follows.
     *
     * @param h the running hash
     * @param block the partial block's bits (0 when the input filled its blocks)
     * @param length the input length in units (chars or ints)
     * @return the running hash, not yet finished
     */
    public static long tail(long h, long block, long length) {
        return mum(block ^ P3, h ^ length ^ P0);
    }

    /**
     * Combines a running hash with one more 64-bit value (order-sensitive).
     *
     * @param h the running hash
     * @param v the value
     * @return the combined hash
     */
    public static long combine(long h, long v) {
        return mum(h ^ P1, v ^ P2);
    }

    /**
     * A final avalanche so every output bit depends on every input bit.
     *
     * @param h a running hash
     * @return the finished hash
     */
    public static long finish(long h) {
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        return h;
    }

    /**
     * MurmurHash3's 64-bit finalizer ({@code fmix64}): a bijection whose output bits each depend on
     * every input bit; used to spread a weaker hash (such as {@link Fnv1a}) before taking low bits.
     *
     * @param h the value to mix
     * @return the mixed value
     */
    public static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * The slot of a 64-bit key in an open-addressing table of {@code mask + 1} (a power of two)
     * slots: Fibonacci hashing (multiply by 2<sup>64</sup>/φ), its high bits folded down so the low
     * bits the mask keeps depend on the whole key.
     *
     * @param key the key, such as two 32-bit ids packed into one long
     * @param mask the table size minus one
     * @return a slot in {@code [0, mask]}
     */
    public static int slot(long key, int mask) {
        long h = key * SplitMix64.GOLDEN_GAMMA;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
