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
 * <p>Each shingle is hashed to 64 bits ({@link Hash64}) and then permuted {@code numPermutations}
 * times as {@code a·x + b (mod 2^32)} with random odd {@code a} (a bijection of 32-bit values);
 * the signature keeps the minimum of each permutation. The inner loop is branch-free over primitive
 * arrays so the JIT vectorises it, and nothing is allocated per shingle.
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

    public int numPermutations() {
        return numPermutations;
    }

    public int ngram() {
        return ngram;
    }

    public long seed() {
        return seed;
    }

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
        if (sig.length != numPermutations) {
            throw new IllegalArgumentException(
                    "signature buffer has length " + sig.length + ", expected " + numPermutations);
        }
        Arrays.fill(sig, Integer.MAX_VALUE);
        Scratch sc = SCRATCH.get();
        if (sc.ring.length < ngram) {
            sc.ring = new long[ngram];
        }
        final char[] buf = sc.chars;
        final long[] ring = sc.ring;
        final int n = ngram;
        int tokens = 0;
        int pos = 0;
        int emitted = 0;
        // the word being read: its hash state carries over chunk boundaries
        boolean inWord = false;
        long h = 0;
        long v = 0;
        int inBlock = 0;
        int wordLen = 0;
        final int len = text.length();
        for (int chunk = 0; chunk <= len && emitted < maxShingles; chunk += buf.length) {
            int end = Math.min(len, chunk + buf.length);
            if (text instanceof String str) {
                str.getChars(chunk, end, buf, 0);
            } else {
                for (int i = chunk; i < end; i++) {
                    buf[i - chunk] = text.charAt(i);
                }
            }
            int m = end - chunk;
            boolean last = end == len;
            for (int i = 0; i <= m; i++) {
                char c = i < m ? buf[i] : ' ';
                if (i == m && !last) {
                    break; // the word may go on in the next chunk
                }
                if (c < 128 && WORD[c]) {
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
                    ring[pos] = Hash64.tail(h, v, wordLen);
                    pos = pos + 1 == n ? 0 : pos + 1;
                    tokens++;
                    if (tokens >= n) {
                        // ring[pos] is now the oldest word of the current n-gram
                        long sh = SHINGLE_SEED;
                        for (int j = 0, k = pos; j < n; j++) {
                            sh = Hash64.combine(sh, ring[k]);
                            k = k + 1 == n ? 0 : k + 1;
                        }
                        sh = Hash64.finish(sh);
                        permute(sig, sh);
                        if (shingles != null) {
                            shingles.accept(sh);
                        }
                        if (++emitted >= maxShingles) {
                            break;
                        }
                    }
                }
            }
            if (last) {
                break;
            }
        }
        if (tokens > 0 && tokens < n) {
            long sh = SHINGLE_SEED;
            for (int j = 0; j < tokens; j++) {
                sh = Hash64.combine(sh, ring[j]);
            }
            sh = Hash64.finish(sh);
            permute(sig, sh);
            if (shingles != null) {
                shingles.accept(sh);
            }
            emitted = 1;
        }
        return emitted;
    }

    private static final boolean[] WORD = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            WORD[c] = isWordChar(c);
        }
    }

    /** Per-thread buffers so that hashing a document allocates nothing. */
    private static final class Scratch {
        final char[] chars = new char[1 << 13];
        long[] ring = new long[8];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private void permute(int[] sig, long shingleHash) {
        final int x = (int) (shingleHash >>> 32);
        final int[] m = mul;
        final int[] a = add;
        for (int p = 0; p < sig.length; p++) {
            sig[p] = Math.min(sig[p], m[p] * x + a[p]);
        }
    }

    /**
     * Computes the signature of {@code text} into {@code sig} and returns its shingle set: the
     * distinct shingle hashes, sorted, for {@link #jaccard} (an empty array when the text has no words).
     */
    public long[] signatureAndShingleSet(CharSequence text, int[] sig) {
        long[][] buf = {new long[256]};
        int[] n = {0};
        signature(text, sig, h -> {
            if (n[0] == buf[0].length) {
                buf[0] = Arrays.copyOf(buf[0], n[0] * 2);
            }
            buf[0][n[0]++] = h;
        });
        long[] a = buf[0];
        Arrays.sort(a, 0, n[0]);
        int w = 0;
        for (int i = 0; i < n[0]; i++) {
            if (w == 0 || a[i] != a[w - 1]) {
                a[w++] = a[i];
            }
        }
        return Arrays.copyOf(a, w);
    }

    /** The exact Jaccard similarity of two sorted sets of distinct shingle hashes (0 when both are empty). */
    public static double jaccard(long[] a, long[] b) {
        return jaccard(a, a.length, b, b.length);
    }

    /** {@link #jaccard(long[], long[])} of {@code a[0, na)} and {@code b[0, nb)}. */
    static double jaccard(long[] a, int na, long[] b, int nb) {
        if (na == 0 && nb == 0) {
            return 0;
        }
        int i = 0;
        int j = 0;
        int inter = 0;
        while (i < na && j < nb) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
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
