package dev.kiln.core.hash;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014, with
 * Stafford's "Mix13" finalizer) as pure functions: the same numbers as {@link
 * java.util.SplittableRandom}, for deriving seeds and permutations from a seed without an object.
 *
 * <pre>{@code
 * long s = seed;
 * for (int i = 0; i < n; i++) {
 *     s = SplitMix64.next(s);   // the generator's i-th output
 *     mul[i] = (int) s | 1;
 * }
 * }</pre>
 */
public final class SplitMix64 {

    /** 2<sup>64</sup>/φ, odd: SplitMix64's increment and the Fibonacci-hashing multiplier. */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private SplitMix64() {}

    /**
     * The first output of a SplitMix64 generator seeded with {@code seed}, i.e. {@code new
     * SplittableRandom(seed).nextLong()}. Feeding the output back in is <em>not</em> the
     * generator's second output; it is a chain of hashes (what Kiln's MinHash seeding uses).
     *
     * @param seed the state
     * @return {@link #mix64}{@code (seed + GOLDEN_GAMMA)}
     */
    public static long next(long seed) {
        return mix64(seed + GOLDEN_GAMMA);
    }

    /**
     * SplitMix64's output function (Stafford's Mix13): a bijection on 64-bit values.
     *
     * @param z the generator's state after its increment
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
