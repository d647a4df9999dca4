package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MinHasherTest {

    private final MinHasher mh = MinHasher.of(256, 5, 42, 100_000);

    private static List<String> words(int n, SplittableRandom rnd) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add("w" + rnd.nextInt(1_000_000));
        }
        return w;
    }

    private static Set<Long> shingles(MinHasher mh, String text) {
        Set<Long> s = new HashSet<>();
        mh.signature(text, mh.newSignature(), s::add);
        return s;
    }

    private static double jaccard(Set<Long> a, Set<Long> b) {
        Set<Long> inter = new HashSet<>(a);
        inter.retainAll(b);
        return (double) inter.size() / (a.size() + b.size() - inter.size());
    }

    @Test
    void estimateTracksExactJaccardWithoutBias() {
        SplittableRandom rnd = new SplittableRandom(5);
        double sumErr = 0;
        double sumAbs = 0;
        int pairs = 300;
        for (int p = 0; p < pairs; p++) {
            List<String> a = words(400, rnd);
            List<String> b = new ArrayList<>(a);
            int edits = rnd.nextInt(0, 60);
            for (int e = 0; e < edits; e++) {
                b.set(rnd.nextInt(b.size()), "x" + rnd.nextInt(1_000_000));
            }
            String ta = String.join(" ", a);
            String tb = String.join("(", b);
            double exact = jaccard(shingles(mh, ta), shingles(mh, tb));
            int[] sa = mh.newSignature();
            int[] sb = mh.newSignature();
            mh.signature(ta, sa, null);
            mh.signature(tb, sb, null);
            double est = MinHasher.estimate(sa, sb);
            sumErr += est - exact;
            sumAbs += Math.abs(est - exact);
        }
        // the standard error of one estimate is sqrt(J(1-J)/256) <= 0.031
        assertThat(sumAbs / pairs).isLessThan(0.03);
        assertThat(Math.abs(sumErr / pairs)).isLessThan(0.006);
    }

    @Test
    void shinglesAreWordNgramsSplitOnNonWordCharacters() {
        MinHasher m = MinHasher.of(16, 3, 1, 1000);
        assertThat(m.signature("a b c d", m.newSignature(), null)).isEqualTo(2);
        // separators of any kind and length are equivalent, and non-ASCII letters separate words
        assertThat(shingles(m, "a  b;c\n\td")).isEqualTo(shingles(m, "a b c d"));
        assertThat(shingles(m, "aé b c")).isEqualTo(shingles(m, "a b c"));
        assertThat(shingles(m, "a b c")).isNotEqualTo(shingles(m, "c b a"));
        assertThat(shingles(m, "foo_bar1 x y")).isNotEqualTo(shingles(m, "foo bar1 x"));
    }

    @Test
    void shortAndEmptyTextsAndTheShingleCap() {
        MinHasher m = MinHasher.of(16, 5, 1, 10);
        int[] sig = m.newSignature();
        assertThat(m.signature("", sig, null)).isZero();
        assertThat(sig).containsOnly(Integer.MAX_VALUE);
        assertThat(m.signature(" ;; {} \n", sig, null)).isZero();
        assertThat(m.signature("int x", sig, null)).isEqualTo(1);
        assertThat(sig).doesNotContain(Integer.MAX_VALUE);
        String longText = "w ".repeat(10).concat("a b c d e f g h i j k l m n o p");
        assertThat(m.signature(longText, sig, null)).isEqualTo(10);
        assertThat(m.signature("a".repeat(1000), sig, null)).isEqualTo(1);
    }

    @Test
    void identicalTextsHaveIdenticalSignaturesAndSeedsMatter() {
        String t = "public static void main(String[] args) { System.out.println(args.length); }";
        int[] a = mh.newSignature();
        int[] b = mh.newSignature();
        mh.signature(t, a, null);
        mh.signature(new StringBuilder(t), b, null);
        assertThat(a).isEqualTo(b);
        MinHasher other = MinHasher.of(256, 5, 43, 100_000);
        other.signature(t, b, null);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void signatureAllocatesNothingPerShingle() {
        String text = String.join(" ", words(200_000, new SplittableRandom(3)));
        int[] sig = mh.newSignature();
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 3; i++) {
            mh.signature(text, sig, null); // warm up
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        int n = mh.signature(text, sig, null);
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertThat(n).isEqualTo(100_000);
        assertThat(allocated).isLessThan(4096);
    }

    @Test
    void aSignatureIsThePerPermutationMinimumOverTheShingles() {
        // every count of shingles modulo the eight of a sweep, whose last sweep repeats the last shingle
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n = 0; n <= 40; n++) {
            long[] h = new long[n + 3];
            for (int i = 0; i < h.length; i++) {
                h[i] = rnd.nextLong();
            }
            int[] sig = mh.newSignature();
            mh.minHash(h, n, sig);
            int[] expected = mh.newSignature();
            java.util.Arrays.fill(expected, Integer.MAX_VALUE);
            int[] one = mh.newSignature();
            for (int i = 0; i < n; i++) {
                mh.minHash(new long[] {h[i]}, 1, one);
                for (int p = 0; p < one.length; p++) {
                    expected[p] = Math.min(expected[p], one[p]);
                }
            }
            assertThat(sig).as("n=%d", n).isEqualTo(expected);
        }
    }

    @Test
    void signaturesAndShingleSetsAreThoseOfEarlierVersions() {
        // a checksum of signatures and sets computed by the version before the eight-shingle sweep
        // (main at 4c12fda): a change here changes every stored signature and every kept/removed id
        SplittableRandom rnd = new SplittableRandom(7);
        long h = 1125899906842597L;
        for (int n : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 100, 1001}) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(i % 7 == 0 ? "é" : "")
                        .append("w")
                        .append(rnd.nextInt(50))
                        .append(i % 3 == 0 ? "; " : " ");
            }
            int[] sig = mh.newSignature();
            mh.signature(sb.toString(), sig, null);
            for (int v : sig) {
                h = 31 * h + v;
            }
            long[] set = mh.signatureAndShingleSet(sb.toString(), sig);
            for (int v : sig) {
                h = 31 * h + v;
            }
            for (long v : set) {
                h = 31 * h + v;
            }
        }
        assertThat(Long.toHexString(h)).isEqualTo("c148f753aa23f78d");
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> MinHasher.of(0, 5, 1, 10)).hasMessageContaining("permutations");
        assertThatThrownBy(() -> MinHasher.of(8, 0, 1, 10)).hasMessageContaining("ngram");
        assertThatThrownBy(() -> mh.signature("x", new int[3], null)).hasMessageContaining("length 3");
    }
}
