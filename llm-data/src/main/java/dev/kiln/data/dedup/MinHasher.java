package dev.kiln.data.dedup;

import dev.kiln.core.hash.Hash64;
import dev.kiln.core.hash.SplitMix64;
import java.io.Serializable;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * MinHash signatures of text over word n-gram shingles, as BigCode's near-deduplication: the text
 * is split on {@code [^A-Za-z_0-9]} (empty pieces are skipped), and every run of {@code ngram}
 * consecutive words is one shingle. A text with fewer than {@code ngram} words (but at least one)
 * has one shingle made of all its words; a text without words has no shingles and an all-{@link
 * Integer#MAX_VALUE} signature that is never a candidate.
 *
 * <p>Each word is hashed once to 64 bits ({@link Hash64}); a shingle's hash is a rolling polynomial
 * of its words' hashes (two multiplications per shingle, whatever {@code ngram}), finished by an
 * avalanche. Only the distinct shingles are permuted when the set is wanted. Each shingle hash is
 * then permuted {@code numPermutations} times as {@code a·x + b (mod 2^32)} with random odd
 * {@code a} (a bijection of 32-bit values): one hash, many cheap derived permutations, eight
 * shingles per sweep over the signature; the signature keeps the minimum of each permutation. The
 * loops are branch-free over primitive arrays so the JIT vectorises them, and nothing is allocated
 * per shingle.
 *
 * <p>Enormous documents are capped at {@code maxShingles} shingles (the first ones, in text order),
 * which bounds the time spent on one generated or minified file.
 *
 * <pre>{@code
 * MinHasher mh = MinHasher.of(256, 5, 42L, 100_000);
 * int[] a = mh.newSignature(), b = mh.newSignature();
 * mh.signature(textA, a, null);
 * mh.signature(textB, b, null);
 * double jaccard = MinHasher.estimate(a, b);
 * }</pre>
 */
public final class MinHasher implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final long TOKEN_SEED = 0x4b494c4e2d746f6bL;
    private static final long SHINGLE_SEED = 0x4b494c4e2d73686eL;
    /** The odd base of the shingles' rolling polynomial over word hashes. */
    private static final long BASE = 0x9e3779b97f4a7c15L;

    private final int numPermutations;
    private final int ngram;
    private final long seed;
    private final int maxShingles;
    private final int[] mul;
    private final int[] add;

    private MinHasher(int numPermutations, int ngram, long seed, int maxShingles) {
        this.numPermutations = numPermutations;
        this.ngram = ngram;
        this.seed = seed;
        this.maxShingles = maxShingles;
        this.mul = new int[numPermutations];
        this.add = new int[numPermutations];
        long s = seed;
        for (int i = 0; i < numPermutations; i++) {
            s = SplitMix64.next(s);
            mul[i] = (int) s | 1;
            s = SplitMix64.next(s);
            add[i] = (int) (s >>> 32);
        }
    }

    /**
     * A MinHasher.
     *
     * @param numPermutations signature length, 1..8192
     * @param ngram words per shingle, 1..64
     * @param seed the permutations' seed
     * @param maxShingles shingles hashed per document at most (the first ones), ≥ 1
     */
    public static MinHasher of(int numPermutations, int ngram, long seed, int maxShingles) {
        if (numPermutations < 1 || numPermutations > 8192) {
            throw new IllegalArgumentException("permutations must be in 1..8192, got " + numPermutations);
        }
        if (ngram < 1 || ngram > 64) {
            throw new IllegalArgumentException("ngram must be in 1..64, got " + ngram);
        }
        if (maxShingles < 1) {
            throw new IllegalArgumentException("maxShingles must be >= 1, got " + maxShingles);
        }
        return new MinHasher(numPermutations, ngram, seed, maxShingles);
    }

    /** Signature length. */
    public int numPermutations() {
        return numPermutations;
    }

    /** Words per shingle. */
    public int ngram() {
        return ngram;
    }

    /** Seed of the permutations: signatures compare only between hashers with the same seed. */
    public long seed() {
        return seed;
    }

    /** Shingles hashed per document at most (the first ones). */
    public int maxShingles() {
        return maxShingles;
    }

    /** A signature buffer of the right length. */
    public int[] newSignature() {
        return new int[numPermutations];
    }

    /** Whether {@code c} is a word character, i.e. not matched by {@code [^A-Za-z_0-9]}. */
    public static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /**
     * Computes the signature of {@code text} into {@code sig}.
     *
     * @param shingles if not null, receives each shingle's 64-bit hash (with repeats) in text order
     * @return the number of shingles hashed; 0 when the text has no words
     */
    public int signature(CharSequence text, int[] sig, LongConsumer shingles) {
        checkLength(sig);
        Scratch sc = SCRATCH.get();
        int n = shingles(text, sc);
        minHash(sc.shingles, n, sig);
        if (shingles != null) {
            for (int i = 0; i < n; i++) {
                shingles.accept(sc.shingles[i]);
            }
        }
        return n;
    }

    /**
     * The signature and, sorted and distinct, the shingle set of {@code text}: the set is appended
     * to {@code set} (after what it holds); only distinct shingles are permuted. Returns the number
     * of shingles with repeats (0 when the text has no words).
     */
    int signatureAndSet(CharSequence text, int[] sig, PrimitiveLists.Longs set) {
        checkLength(sig);
        Scratch sc = SCRATCH.get();
        int n = shingles(text, sc);
        int u = sc.sort.sortUnique(sc.shingles, n);
        minHash(sc.shingles, u, sig);
        if (set.a.length - set.size < u) {
            set.a = Arrays.copyOf(set.a, Math.max(set.size + u, set.a.length * 2));
        }
        System.arraycopy(sc.shingles, 0, set.a, set.size, u);
        set.size += u;
        return n;
    }

    private void checkLength(int[] sig) {
        if (sig.length != numPermutations) {
            throw new IllegalArgumentException(
                    "signature buffer has length " + sig.length + ", expected " + numPermutations);
        }
    }

    /**
     * Hashes the words of {@code text} into {@code sc.words}, then its shingles into {@code
     * sc.shingles} (text order, with repeats); returns the number of shingles.
     */
    private int shingles(CharSequence text, Scratch sc) {
        int maxWords = maxShingles + ngram - 1;
        int words = words(text, sc, maxWords);
        if (words == 0) {
            return 0;
        }
        long[] w = sc.words;
        int count = words < ngram ? 1 : Math.min(maxShingles, words - ngram + 1);
        long[] out = sc.shingles(count);
        if (words < ngram) {
            long h = 0;
            for (int j = 0; j < words; j++) {
                h = h * BASE + w[j];
            }
            out[0] = Hash64.finish(h ^ SHINGLE_SEED ^ words);
            return 1;
        }
        // a rolling polynomial over the word hashes: H(i) = sum of w[i+j]·BASE^(n-1-j), mod 2^64
        final int n = ngram;
        long top = 1;
        long h = 0;
        for (int j = 0; j < n; j++) {
            h = h * BASE + w[j];
            if (j > 0) {
                top *= BASE;
            }
        }
        out[0] = Hash64.finish(h ^ SHINGLE_SEED);
        for (int i = 1; i < count; i++) {
            h = (h - w[i - 1] * top) * BASE + w[i + n - 1];
            out[i] = Hash64.finish(h ^ SHINGLE_SEED);
        }
        return count;
    }

    /** Hashes up to {@code maxWords} words of {@code text} into {@code sc.words}; returns how many. */
    private static int words(CharSequence text, Scratch sc, int maxWords) {
        final char[] buf = sc.chars;
        long[] w = sc.words;
        int count = 0;
        // the word being read: its hash state carries over chunk boundaries
        boolean inWord = false;
        long h = 0;
        long v = 0;
        int inBlock = 0;
        int wordLen = 0;
        final int len = text.length();
        for (int chunk = 0; chunk < len && count < maxWords; chunk += buf.length) {
            int end = Math.min(len, chunk + buf.length);
            if (text instanceof String str) {
                str.getChars(chunk, end, buf, 0);
            } else {
                for (int i = chunk; i < end; i++) {
                    buf[i - chunk] = text.charAt(i);
                }
            }
            int m = end - chunk;
            for (int i = 0; i < m; i++) {
                char c = buf[i];
                if (WORD[c]) {
                    if (!inWord) {
                        inWord = true;
                        h = TOKEN_SEED;
                        v = 0;
                        inBlock = 0;
                        wordLen = 0;
                    }
                    v |= (long) c << (inBlock << 4);
                    wordLen++;
                    if (++inBlock == 4) {
                        h = Hash64.step(h, v);
                        v = 0;
                        inBlock = 0;
                    }
                } else if (inWord) {
                    inWord = false;
                    if (count == w.length) {
                        w = sc.growWords();
                    }
                    w[count++] = Hash64.tail(h, v, wordLen);
                    if (count == maxWords) {
                        break;
                    }
                }
            }
        }
        if (inWord && count < maxWords) {
            if (count == w.length) {
                w = sc.growWords();
            }
            w[count++] = Hash64.tail(h, v, wordLen);
        }
        return count;
    }

    /**
     * The MinHash signature of the shingle hashes {@code h[0, n)} into {@code sig}: all {@link
     * Integer#MAX_VALUE} when {@code n == 0}. Eight shingles share one sweep over the permutations, so
     * the signature and the permutation tables are loaded once per eight shingles; the last sweep
     * repeats the last shingle to fill its eight (a minimum does not change when a value repeats),
     * so there is one loop and no remainder loop for the JIT to compile. Each permutation's minimum
     * is a chain of comparisons with the running minimum, not a tree of comparisons between the new
     * values: the chain's branches are almost never taken, so the code is fast before C2 has
     * compiled it too (the interpreter and C1's profiling tier run it during the JVM's warm-up).
     */
    void minHash(long[] h, int n, int[] sig) {
        Arrays.fill(sig, Integer.MAX_VALUE);
        final int[] m = mul;
        final int[] a = add;
        final int k = Math.min(sig.length, Math.min(m.length, a.length));
        final int last = n - 1;
        for (int i = 0; i < n; i += 8) {
            final int x0 = (int) (h[i] >>> 32);
            final int x1 = (int) (h[Math.min(i + 1, last)] >>> 32);
            final int x2 = (int) (h[Math.min(i + 2, last)] >>> 32);
            final int x3 = (int) (h[Math.min(i + 3, last)] >>> 32);
            final int x4 = (int) (h[Math.min(i + 4, last)] >>> 32);
            final int x5 = (int) (h[Math.min(i + 5, last)] >>> 32);
            final int x6 = (int) (h[Math.min(i + 6, last)] >>> 32);
            final int x7 = (int) (h[Math.min(i + 7, last)] >>> 32);
            for (int p = 0; p < k; p++) {
                final int mp = m[p];
                final int ap = a[p];
                int s = sig[p];
                s = Math.min(s, mp * x0 + ap);
                s = Math.min(s, mp * x1 + ap);
                s = Math.min(s, mp * x2 + ap);
                s = Math.min(s, mp * x3 + ap);
                s = Math.min(s, mp * x4 + ap);
                s = Math.min(s, mp * x5 + ap);
                s = Math.min(s, mp * x6 + ap);
                s = Math.min(s, mp * x7 + ap);
                sig[p] = s;
            }
        }
    }

    /**
     * Whether each char is a word character, over all 65,536 chars: a lookup without a {@code c < 128}
     * test, whose branch C2 would compile as never taken on ASCII text and then throw away (a
     * deoptimization and a recompile) at the first non-ASCII char.
     */
    private static final boolean[] WORD = new boolean[1 << 16];

    static {
        for (char c = 0; c < 128; c++) {
            WORD[c] = isWordChar(c);
        }
    }

    /** Per-thread buffers so that hashing a document allocates nothing once they have grown. */
    private static final class Scratch {
        final char[] chars = new char[1 << 13];
        long[] words = new long[1 << 12];
        long[] shingles = new long[1 << 12];
        final ShingleSort sort = new ShingleSort();

        long[] growWords() {
            words = Arrays.copyOf(words, words.length * 2);
            return words;
        }

        long[] shingles(int n) {
            if (shingles.length < n) {
                shingles = new long[Math.max(n, shingles.length * 2)];
            }
            return shingles;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Computes the signature of {@code text} into {@code sig} and returns its shingle set: the
     * distinct shingle hashes, sorted, for {@link #jaccard} (an empty array when the text has no words).
     */
    public long[] signatureAndShingleSet(CharSequence text, int[] sig) {
        PrimitiveLists.Longs set = new PrimitiveLists.Longs(256);
        signatureAndSet(text, sig, set);
        return Arrays.copyOf(set.a, set.size);
    }

    /** The exact Jaccard similarity of two sorted sets of distinct shingle hashes (0 when both are empty). */
    public static double jaccard(long[] a, long[] b) {
        return jaccard(a, a.length, b, b.length);
    }

    /** {@link #jaccard(long[], long[])} of {@code a[0, na)} and {@code b[0, nb)}. */
    static double jaccard(long[] a, int na, long[] b, int nb) {
        return jaccard(a, 0, na, b, 0, nb);
    }

    /** {@link #jaccard(long[], long[])} of {@code a[fa, fa + na)} and {@code b[fb, fb + nb)}. */
    static double jaccard(long[] a, int fa, int na, long[] b, int fb, int nb) {
        if (na == 0 && nb == 0) {
            return 0;
        }
        int i = fa;
        int j = fb;
        final int ea = fa + na;
        final int eb = fb + nb;
        int inter = 0;
        // branch-free merge: the comparisons of random hashes are unpredictable
        while (i < ea && j < eb) {
            long x = a[i];
            long y = b[j];
            inter += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
        }
        return (double) inter / (na + nb - inter);
    }

    /** The estimated Jaccard similarity: the fraction of equal positions. */
    public static double estimate(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("signatures differ in length: " + a.length + " vs " + b.length);
        }
        int eq = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                eq++;
            }
        }
        return (double) eq / a.length;
    }

    /**
     * The LSH bucket key of band {@code band}: a 64-bit hash of {@code sig[band·rows, (band+1)·rows)}
     * seeded by the band index, so equal keys in different bands do not meet.
     */
    public static long bandKey(int[] sig, int band, int rows) {
        return Hash64.hashInts(sig, band * rows, band * rows + rows, SplitMix64.GOLDEN_GAMMA * (band + 1));
    }
}
