package dev.kiln.data.decontam;

import dev.kiln.core.Document;
import dev.kiln.core.hash.Fnv1a;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code decontaminate} stage: drops training documents that contain evaluation problems, so
 * a model is measured on unseen data.
 *
 * <p>Text is normalised into a sequence of <em>words</em>: maximal runs of letters, digits and
 * {@code _}, lower-cased; whitespace, punctuation and formatting are ignored (so a prompt
 * re-indented, re-quoted or with its docstring reflowed still matches). Every eval text (prompt +
 * canonical solution) contributes all its word {@code n}-grams (default n = 13, the GPT-3 and
 * BigCode practice) to an index of 64-bit hashes, except uninformative ones (fewer than 4 words of
 * 3+ characters: the hex alphabet {@code 0 1 2 ... e f}, digit runs). A document is dropped when it shares at least
 * {@code min-matches} (default 3) n-gram occurrences with one eval problem — which catches a
 * document holding a whole prompt (HumanEval prompts have 20–300 13-grams) or a solution of 15+
 * words, but not one shared idiom. Eval texts shorter than n words are not indexed: a short
 * canonical solution such as {@code return x + y} would otherwise drop any code that contains it.
 *
 * <p>Over the whole JDK {@code src.zip} (Java: the language HumanEval-X also uses) the defaults
 * drop no file; see {@code dev.kiln.bench.DecontaminationCheck}.
 *
 * <p>One pass over the document with a rolling hash; no allocation unless an n-gram matches. The
 * index is immutable and serializable (a few hundred KB for HumanEval + HumanEval-X).
 *
 * <pre>{@code
 * Decontaminator d = Decontaminator.builder()
 *         .addEvalSet(EvalSet.humanEval())
 *         .addEvalSet(EvalSet.fromJsonl("mbpp", Path.of("mbpp.jsonl")))
 *         .build();
 * Verdict v = d.test(doc);   // drop("humaneval") when contaminated
 * }</pre>
 */
public final class Decontaminator implements DocumentFilter {

    private static final long serialVersionUID = 1L;
    private static final long P = Fnv1a.PRIME_64 * 31 + 7; // odd multiplier for the rolling hash

    private final int n;
    private final int minMatches;
    private final String[] setNames;
    /** Open-addressing table of n-gram hashes (0 = empty) and the problem each belongs to. */
    private final long[] keys;

    private final int[] problems;
    /** Problem index → eval set index. */
    private final int[] problemSet;

    private final int mask;
    private final long pn; // P^n

    private Decontaminator(Builder b) {
        this.n = b.n;
        this.minMatches = b.minMatches;
        List<long[]> grams = new ArrayList<>();
        List<Integer> sets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long total = 0;
        for (int si = 0; si < b.sets.size(); si++) {
            EvalSet set = b.sets.get(si);
            names.add(set.name());
            for (String text : set.texts()) {
                long[] g = ngrams(text, n);
                grams.add(g);
                sets.add(si);
                total += g.length;
            }
        }
        this.setNames = names.toArray(new String[0]);
        int cap = Integer.highestOneBit((int) Math.max(16, total * 2)) * 2;
        this.keys = new long[cap];
        this.problems = new int[cap];
        this.mask = cap - 1;
        this.problemSet = new int[grams.size()];
        for (int pi = 0; pi < grams.size(); pi++) {
            problemSet[pi] = sets.get(pi);
            for (long h : grams.get(pi)) {
                insert(h, pi);
            }
        }
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= P;
        }
        this.pn = p;
    }

    /** HumanEval (Python) and HumanEval-X (Java), n = 13, 3 matches. */
    public static Decontaminator defaults() {
        return builder()
                .addEvalSet(EvalSet.humanEval())
                .addEvalSet(EvalSet.humanEvalJava())
                .build();
    }

    /** A builder; at least one eval set is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "decontaminate";
    }

    /** Word n-gram length. */
    public int n() {
        return n;
    }

    /** N-gram occurrences shared with one problem that make a document contaminated. */
    public int minMatches() {
        return minMatches;
    }

    /** Number of distinct n-grams indexed. */
    public int indexedNgrams() {
        int c = 0;
        for (long k : keys) {
            if (k != 0) {
                c++;
            }
        }
        return c;
    }

    private void insert(long h, int problem) {
        if (h == 0) {
            h = 1;
        }
        int i = (int) mix(h) & mask;
        while (keys[i] != 0) {
            if (keys[i] == h) {
                return; // first problem keeps it
            }
            i = (i + 1) & mask;
        }
        keys[i] = h;
        problems[i] = problem;
    }

    private int lookup(long h) {
        if (h == 0) {
            h = 1;
        }
        int i = (int) mix(h) & mask;
        while (true) {
            long k = keys[i];
            if (k == h) {
                return problems[i];
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public Verdict test(Document doc) {
        int problem = contaminatedBy(doc.content());
        return problem < 0 ? Verdict.KEEP : Verdict.drop(setNames[problemSet[problem]]);
    }

    /** The index of the first eval problem the text is contaminated by, or -1. */
    public int contaminatedBy(String s) {
        long[] ring = new long[n];
        int words = 0;
        long roll = 0;
        int len = s.length();
        int i = 0;
        int[] hitProblems = null;
        int[] hitCounts = null;
        int hits = 0;
        while (i < len) {
            char c = s.charAt(i);
            if (!wordChar(c)) {
                i++;
                continue;
            }
            long h = Fnv1a.OFFSET_BASIS_64;
            while (i < len) {
                c = s.charAt(i);
                if (!wordChar(c)) {
                    break;
                }
                h = Fnv1a.step64(h, lower(c));
                i++;
            }
            int slot = words % n;
            roll = roll * P + h - ring[slot] * pn;
            ring[slot] = h;
            words++;
            if (words >= n) {
                int p = lookup(roll);
                if (p >= 0) {
                    if (hitProblems == null) {
                        hitProblems = new int[8];
                        hitCounts = new int[8];
                    }
                    int k = 0;
                    while (k < hits && hitProblems[k] != p) {
                        k++;
                    }
                    if (k == hits) {
                        if (hits == hitProblems.length) {
                            hitProblems = Arrays.copyOf(hitProblems, hits * 2);
                            hitCounts = Arrays.copyOf(hitCounts, hits * 2);
                        }
                        hitProblems[hits++] = p;
                    }
                    if (++hitCounts[k] >= minMatches) {
                        return p;
                    }
                }
            }
        }
        return -1;
    }

    private static char lower(char c) {
        return c < 128 ? (c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) : Character.toLowerCase(c);
    }

    private static boolean wordChar(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
        return Character.isLetterOrDigit(c);
    }

    /** Rolling hashes of every word n-gram of a text (empty when it has fewer than n words). */
    long[] ngrams(String s, int n) {
        long[] ring = new long[n];
        int[] lengths = new int[n];
        long pn = 1;
        for (int i = 0; i < n; i++) {
            pn *= P;
        }
        List<Long> out = new ArrayList<>();
        int words = 0;
        long roll = 0;
        int len = s.length();
        int i = 0;
        while (i < len) {
            if (!wordChar(s.charAt(i))) {
                i++;
                continue;
            }
            long h = Fnv1a.OFFSET_BASIS_64;
            int start = i;
            while (i < len && wordChar(s.charAt(i))) {
                h = Fnv1a.step64(h, lower(s.charAt(i)));
                i++;
            }
            int slot = words % n;
            roll = roll * P + h - ring[slot] * pn;
            ring[slot] = h;
            lengths[slot] = i - start;
            words++;
            if (words >= n && informative(lengths)) {
                out.add(roll);
            }
        }
        long[] a = new long[out.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = out.get(k);
        }
        return a;
    }

    /**
     * Whether an n-gram carries evidence of copying: at least {@value #MIN_LONG_WORDS} of its words
     * have 3+ characters. Runs of single characters and numbers ({@code 0 1 2 ... a b c}, the hex
     * alphabet of HumanEval/78, digit tables) are in every codebase and prove nothing.
     */
    private static boolean informative(int[] lengths) {
        int longWords = 0;
        for (int l : lengths) {
            if (l >= 3) {
                longWords++;
            }
        }
        return longWords >= MIN_LONG_WORDS;
    }

    static final int MIN_LONG_WORDS = 4;

    @Override
    public String toString() {
        return "decontaminate(sets=" + Arrays.toString(setNames) + ", n=" + n + ", min-matches=" + minMatches + ")";
    }

    /** Builds a {@link Decontaminator}. */
    public static final class Builder {
        private final List<EvalSet> sets = new ArrayList<>();
        private int n = 13;
        private int minMatches = 3;

        private Builder() {}

        /** Adds an eval set (at least one is required). */
        public Builder addEvalSet(EvalSet set) {
            sets.add(Objects.requireNonNull(set, "set"));
            return this;
        }

        /** Word n-gram length (default 13). */
        public Builder optN(int n) {
            if (n < 3 || n > 64) {
                throw new IllegalArgumentException("n must be in [3, 64], got " + n);
            }
            this.n = n;
            return this;
        }

        /** N-gram occurrences shared with one problem that make a document contaminated (default 3). */
        public Builder optMinMatches(int minMatches) {
            if (minMatches < 1) {
                throw new IllegalArgumentException("min-matches must be ≥ 1, got " + minMatches);
            }
            this.minMatches = minMatches;
            return this;
        }

        /** @throws IllegalArgumentException when no eval set was added */
        public Decontaminator build() {
            if (sets.isEmpty()) {
                throw new IllegalArgumentException("a decontaminator needs at least one eval set");
            }
            return new Decontaminator(this);
        }
    }
}
