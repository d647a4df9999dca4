package dev.kiln.data.dedup;

/**
 * A fast 64-bit hash over {@code char} and {@code int} data, in the style of wyhash: 4 chars (or 2
 * ints) are folded per step with a 64×64→128-bit multiply whose halves are xor-ed ("mum"). It
 * allocates nothing and reads {@link CharSequence}s in place, so tokenizers can hash a slice of a
 * document without copying it.
 *
 * <p>Not a cryptographic hash. Its avalanche and bucket distribution are tested in {@code
 * Hash64Test}.
 *
 * <pre>{@code
 * long h = Hash64.hashChars("class Main {}", 0, 5, 42L); // hash of "class" with seed 42
 * }</pre>
 */
public final class Hash64 {

    static final long P0 = 0xa0761d6478bd642fL;
    static final long P1 = 0xe7037ed1a0b428dbL;
    static final long P2 = 0x8ebc6af09c88c6e3L;
    static final long P3 = 0x589965cc75374cc3L;

    private Hash64() {}

    /** The 128-bit product of {@code a} and {@code b}, its two halves xor-ed. */
    static long mum(long a, long b) {
        return Math.multiplyHigh(a, b) ^ (a * b);
    }

    /** Hash of {@code s[from, to)} with a seed. */
    public static long hashChars(CharSequence s, int from, int to, long seed) {
        long h = seed ^ P0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            long v = s.charAt(i)
                    | ((long) s.charAt(i + 1) << 16)
                    | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h = mum(v ^ P1, h ^ P2);
        }
        long v = 0;
        for (int shift = 0; i < to; i++, shift += 16) {
            v |= (long) s.charAt(i) << shift;
        }
        h = mum(v ^ P3, h ^ (to - from) ^ P0);
        return finish(h);
    }

    /** Hash of {@code a[from, to)} with a seed. */
    public static long hashInts(int[] a, int from, int to, long seed) {
        long h = seed ^ P0;
        int i = from;
        for (; i + 2 <= to; i += 2) {
            long v = (a[i] & 0xFFFFFFFFL) | ((long) a[i + 1] << 32);
            h = mum(v ^ P1, h ^ P2);
        }
        long v = i < to ? (a[i] & 0xFFFFFFFFL) : 0L;
        h = mum(v ^ P3, h ^ (to - from) ^ P0);
        return finish(h);
    }

    /** Combines a running hash with one more 64-bit value (order-sensitive). */
    public static long combine(long h, long v) {
        return mum(h ^ P1, v ^ P2);
    }

    /** A final avalanche so every output bit depends on every input bit. */
    public static long finish(long h) {
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        return h;
    }

    /** SplitMix64: the next state's output, for seeding permutations. */
    static long splitMix(long x) {
        long z = x + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
