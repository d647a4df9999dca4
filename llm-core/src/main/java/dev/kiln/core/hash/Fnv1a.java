package dev.kiln.core.hash;

/**
 * FNV-1a (Fowler, Noll, Vo), 32- and 64-bit, over UTF-16 {@code char}s: each char is xor-ed in
 * whole, then the state is multiplied by the FNV prime. For text whose chars are all below 256
 * (ASCII, Latin-1) this is exactly the published byte-wise FNV-1a of those bytes; for other text it
 * is FNV-1a over 16-bit units. Cheap, allocation-free and good enough for cache slots and rolling
 * word hashes; its low bits are weak, so mix ({@link Hash64#fmix64}) before masking when it
 * matters.
 *
 * <pre>{@code
 * int h = Fnv1a.hash32(chars, from, to);            // e.g. a per-piece cache slot
 * long w = Fnv1a.OFFSET_BASIS_64;
 * for (char c : word) w = Fnv1a.step64(w, c);       // a word hash built char by char
 * }</pre>
 */
public final class Fnv1a {

    /** The 32-bit offset basis, 2166136261. */
    public static final int OFFSET_BASIS_32 = 0x811c9dc5;

    /** The 32-bit FNV prime, 16777619. */
    public static final int PRIME_32 = 0x01000193;

    /** The 64-bit offset basis, 14695981039346656037. */
    public static final long OFFSET_BASIS_64 = 0xcbf29ce484222325L;

    /** The 64-bit FNV prime, 1099511628211. */
    public static final long PRIME_64 = 0x100000001b3L;

    private Fnv1a() {}

    /**
     * 32-bit FNV-1a of {@code cs[from, to)}.
     *
     * @param cs the characters
     * @param from first index, inclusive
     * @param to last index, exclusive
     * @return the hash
     */
    public static int hash32(char[] cs, int from, int to) {
        int h = OFFSET_BASIS_32;
        for (int i = from; i < to; i++) {
            h = (h ^ cs[i]) * PRIME_32;
        }
        return h;
    }

    /**
     * 32-bit FNV-1a of a whole char sequence.
     *
     * @param s the characters
     * @return the hash
     */
    public static int hash32(CharSequence s) {
        int h = OFFSET_BASIS_32;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = (h ^ s.charAt(i)) * PRIME_32;
        }
        return h;
    }

    /**
     * One 64-bit FNV-1a step: folds one char into the state.
     *
     * @param h the state ({@link #OFFSET_BASIS_64} before the first char)
     * @param c the char
     * @return the new state
     */
    public static long step64(long h, char c) {
        return (h ^ c) * PRIME_64;
    }

    /**
     * 64-bit FNV-1a of a whole char sequence.
     *
     * @param s the characters
     * @return the hash
     */
    public static long hash64(CharSequence s) {
        return hash64(s, OFFSET_BASIS_64);
    }

    /**
     * 64-bit FNV-1a of a whole char sequence from a given starting state; a seeded family of hashes
     * starts from {@code OFFSET_BASIS_64 ^ seed}.
     *
     * @param s the characters
     * @param basis the starting state
     * @return the hash
     */
    public static long hash64(CharSequence s, long basis) {
        long h = basis;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = (h ^ s.charAt(i)) * PRIME_64;
        }
        return h;
    }
}
