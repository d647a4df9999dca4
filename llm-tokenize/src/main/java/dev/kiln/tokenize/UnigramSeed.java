package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed vocabulary of {@link UnigramEm}: every required character, plus the most frequent
 * substrings of the repeated words by frequency × length.
 *
 * <p>Substrings are counted in hash tables that refer to the words' own characters (nothing is
 * copied per substring), with a hash extended by one character at a time. The tables are split by
 * hash across threads, so every thread scans all words but counts only its share, and no table
 * needs merging. The selection sorts by (score, piece), so the seed does not depend on the thread
 * count.
 */
final class UnigramSeed {

    private UnigramSeed() {}

    /** The seed pieces, their log probabilities and whether each is a character, in piece order. */
    record Seed(String[] pieces, double[] scores, boolean[] isChar) {}

    static Seed of(UnigramWords words, int maxPieceLength, int seedSize, int threads, TrainingInput input) {
        long repeated = 0;
        for (long c : words.count) {
            if (c >= 2) {
                repeated++;
            }
        }
        // substrings of the words seen at least twice (most occurrences; a word seen once adds only its
        // characters, which keeps the count to tens of millions of substrings on a 50 MB corpus)
        long minCount = repeated > 0 ? 2 : 1;
        int t = Math.max(1, threads);
        Table[] tables = new Table[t];
        try (Progress p = input.progress("seed pieces", "words", (long) words.size() * t)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] ths = new Thread[t];
            for (int k = 0; k < t; k++) {
                int part = k;
                Runnable r = () -> {
                    try {
                        tables[part] = count(words, minCount, maxPieceLength, part, t, p);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                };
                ths[k] = WordPass.start(r, "kiln-unigram-seed-" + k);
            }
            WordPass.join(ths);
            WordCounting.rethrow(failure.get());
        }
        return select(words, tables, seedSize);
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    private static long step(long h, char c) {
        return (h ^ c) * 0x100000001b3L;
    }

    /** Counts the multi-character substrings whose hash falls in {@code part} of {@code parts}. */
    private static Table count(UnigramWords words, long minCount, int maxLen, int part, int parts, Progress p) {
        char[] pool = words.pool;
        boolean[] req = words.requiredBmp;
        Table table = new Table(pool);
        int n = words.size();
        for (int w = 0; w < n; w++) {
            long c = words.count[w];
            if (c >= minCount) {
                int s = words.off[w];
                int e = s + words.len[w];
                for (int i = s; i < e; i += UnigramEm.cpLen(pool, i, e)) {
                    long h = 0xcbf29ce484222325L;
                    int j = i;
                    for (int l = 0; l < maxLen && j < e; l++) {
                        char ch = pool[j];
                        if (j > i && ch == UnigramModel.SPACE) {
                            break;
                        }
                        int cl = UnigramEm.cpLen(pool, j, e);
                        if (cl == 1 ? !req[ch] : !words.isRequired(Character.codePointAt(pool, j, e))) {
                            break;
                        }
                        h = step(h, ch);
                        if (cl == 2) {
                            h = step(h, pool[j + 1]);
                        }
                        j += cl;
                        if (l > 0) {
                            long m = mix(h);
                            if (parts == 1 || (int) ((m >>> 32) % parts) == part) {
                                table.add(m, i, j - i, c);
                            }
                        }
                    }
                }
            }
            if ((w & 4095) == 4095) {
                p.advance(4096);
            }
        }
        return table;
    }

    /** Substring → count, open addressing; entries refer to the words' pool. */
    private static final class Table {
        private final char[] pool;
        private long[] slots = new long[1 << 16]; // tag << 32 | entry + 1; 0 = empty
        private int mask = slots.length - 1;
        int[] ref = new int[1 << 15];
        short[] len = new short[1 << 15]; // chars: at most 2 × 256
        long[] count = new long[1 << 15];
        int size;

        Table(char[] pool) {
            this.pool = pool;
        }

        void add(long m, int at, int l, long c) {
            long tag = m >>> 32;
            int s = (int) m & mask;
            while (true) {
                long v = slots[s];
                if (v == 0) {
                    break;
                }
                if ((v >>> 32) == tag) {
                    int e = (int) v - 1;
                    if (len[e] == l && Arrays.equals(pool, ref[e], ref[e] + l, pool, at, at + l)) {
                        count[e] += c;
                        return;
                    }
                }
                s = (s + 1) & mask;
            }
            if (size == ref.length) {
                int n = size * 2;
                ref = Arrays.copyOf(ref, n);
                len = Arrays.copyOf(len, n);
                count = Arrays.copyOf(count, n);
            }
            ref[size] = at;
            len[size] = (short) l;
            count[size] = c;
            slots[s] = (tag << 32) | (size + 1L);
            size++;
            if (size * 2L > slots.length) {
                rehash();
            }
        }

        private void rehash() {
            long[] old = slots;
            slots = new long[old.length * 2];
            mask = slots.length - 1;
            for (long v : old) {
                if (v != 0) {
                    int e = (int) v - 1;
                    long h = 0xcbf29ce484222325L;
                    for (int i = ref[e], end = ref[e] + len[e]; i < end; i++) {
                        h = step(h, pool[i]);
                    }
                    int s = (int) mix(h) & mask;
                    while (slots[s] != 0) {
                        s = (s + 1) & mask;
                    }
                    slots[s] = v;
                }
            }
        }
    }

    /** The required characters, then the best substrings (counted at least twice) up to the seed size. */
    private static Seed select(UnigramWords words, Table[] tables, int seedSize) {
        char[] pool = words.pool;
        int chars = words.required.length;
        int room = Math.max(0, seedSize - chars);
        long total = 0;
        for (Table t : tables) {
            for (int e = 0; e < t.size; e++) {
                if (t.count[e] >= 2) {
                    total++;
                }
            }
        }
        // candidates: score, pool offset, length
        long[] score = new long[Math.toIntExact(total)];
        int[] at = new int[score.length];
        short[] len = new short[score.length];
        int k = 0;
        for (Table t : tables) {
            for (int e = 0; e < t.size; e++) {
                if (t.count[e] >= 2) {
                    score[k] = t.count[e] * t.len[e];
                    at[k] = t.ref[e];
                    len[k++] = t.len[e];
                }
            }
        }
        long threshold =
                room == 0 ? Long.MAX_VALUE : score.length > room ? kthLargest(score.clone(), room) : Long.MIN_VALUE;
        int[] m = new int[score.length];
        int n = 0;
        for (int i = 0; i < score.length; i++) {
            if (score[i] >= threshold) {
                m[n++] = i;
            }
        }
        m = Arrays.copyOf(m, n);
        IntSort.sort(m, (a, b) -> {
            if (score[a] != score[b]) {
                return Long.compare(score[b], score[a]);
            }
            return Arrays.compare(pool, at[a], at[a] + len[a], pool, at[b], at[b] + len[b]);
        });
        int keepMulti = Math.min(n, room);
        int size = chars + keepMulti;
        String[] pieces = new String[size];
        double[] scores = new double[size];
        boolean[] isChar = new boolean[size];
        double sum = 0;
        for (int i = 0; i < chars; i++) {
            pieces[i] = Character.toString(words.required[i]);
            scores[i] = words.requiredCount[i];
            isChar[i] = true;
            sum += words.requiredCount[i];
        }
        for (int i = 0; i < keepMulti; i++) {
            int e = m[i];
            pieces[chars + i] = new String(pool, at[e], len[e]);
            long c = score[e] / len[e];
            scores[chars + i] = c;
            sum += c;
        }
        double logsum = Math.log(sum);
        for (int i = 0; i < size; i++) {
            scores[i] = Math.log(scores[i]) - logsum;
        }
        return sorted(pieces, scores, isChar);
    }

    /** The pieces in {@link String#compareTo} order, so {@link PieceTrie#of} need not sort them again. */
    private static Seed sorted(String[] pieces, double[] scores, boolean[] isChar) {
        record P(String piece, double score, boolean isChar) {}
        P[] ps = new P[pieces.length];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = new P(pieces[i], scores[i], isChar[i]);
        }
        Arrays.parallelSort(ps, (a, b) -> a.piece.compareTo(b.piece));
        for (int i = 0; i < ps.length; i++) {
            pieces[i] = ps[i].piece;
            scores[i] = ps[i].score;
            isChar[i] = ps[i].isChar;
        }
        return new Seed(pieces, scores, isChar);
    }

    /** The {@code k}-th largest value ({@code 1 <= k <= a.length}); reorders {@code a}. */
    static long kthLargest(long[] a, int k) {
        int target = a.length - k; // index in ascending order
        int lo = 0;
        int hi = a.length - 1;
        long seed = 0x9E3779B97F4A7C15L;
        while (lo < hi) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            long pivot = a[lo + (int) Long.remainderUnsigned(seed >>> 1, hi - lo + 1)];
            // three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                long v = a[i];
                if (v < pivot) {
                    a[i++] = a[lt];
                    a[lt++] = v;
                } else if (v > pivot) {
                    a[i] = a[gt];
                    a[gt--] = v;
                } else {
                    i++;
                }
            }
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return pivot;
            }
        }
        return a[target];
    }
}
