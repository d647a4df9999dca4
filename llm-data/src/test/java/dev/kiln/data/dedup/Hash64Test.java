package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Hash64Test {

    @Test
    void flippingAnyInputBitFlipsAboutHalfTheOutputBits() {
        SplittableRandom rnd = new SplittableRandom(1);
        long[][] flips = new long[16 * 8][64];
        int trials = 400;
        for (int t = 0; t < trials; t++) {
            char[] c = new char[8];
            for (int i = 0; i < c.length; i++) {
                c[i] = (char) rnd.nextInt(0x20, 0x7f);
            }
            String s = new String(c);
            long h = Hash64.hashChars(s, 0, s.length(), 7);
            for (int bit = 0; bit < 16 * 8; bit++) {
                char[] d = c.clone();
                d[bit / 16] ^= (char) (1 << (bit % 16));
                String s2 = new String(d);
                long diff = h ^ Hash64.hashChars(s2, 0, s2.length(), 7);
                for (int o = 0; o < 64; o++) {
                    flips[bit][o] += (diff >>> o) & 1;
                }
            }
        }
        for (long[] row : flips) {
            for (long f : row) {
                double p = (double) f / trials;
                // 400 trials: a fair coin stays within ±0.13 with overwhelming probability
                assertThat(p).isBetween(0.37, 0.63);
            }
        }
    }

    @Test
    void sequentialKeysSpreadEvenlyOverBuckets() {
        int buckets = 1024;
        int n = 200_000;
        long[] counts = new long[buckets];
        long[] low = new long[buckets];
        for (int i = 0; i < n; i++) {
            String s = "token" + i;
            long h = Hash64.hashChars(s, 0, s.length(), 0);
            counts[(int) (h >>> 54)]++;
            low[(int) (h & (buckets - 1))]++;
        }
        assertThat(chiSquare(counts, n)).isLessThan(1200); // df = 1023, p(χ² > 1200) < 1e-4
        assertThat(chiSquare(low, n)).isLessThan(1200);
    }

    @Test
    void intHashDependsOnEveryValueAndItsPosition() {
        int[] a = {1, 2, 3, 4, 5};
        int[] b = {1, 2, 3, 5, 4};
        assertThat(Hash64.hashInts(a, 0, 5, 0)).isNotEqualTo(Hash64.hashInts(b, 0, 5, 0));
        assertThat(Hash64.hashInts(a, 0, 5, 0)).isNotEqualTo(Hash64.hashInts(a, 0, 5, 1));
        assertThat(Hash64.hashInts(a, 0, 4, 0)).isNotEqualTo(Hash64.hashInts(a, 0, 5, 0));
        assertThat(Hash64.hashInts(a, 1, 3, 0)).isEqualTo(Hash64.hashInts(new int[] {2, 3}, 0, 2, 0));
    }

    @Test
    void hashOfASliceEqualsHashOfTheSubstring() {
        String s = "public static void main";
        assertThat(Hash64.hashChars(s, 7, 13, 3)).isEqualTo(Hash64.hashChars("static", 0, 6, 3));
        assertThat(Hash64.hashChars("ab", 0, 2, 0)).isNotEqualTo(Hash64.hashChars("ba", 0, 2, 0));
        assertThat(Hash64.hashChars("a", 0, 1, 0)).isNotEqualTo(Hash64.hashChars("a\0", 0, 2, 0));
    }

    private static double chiSquare(long[] counts, int n) {
        double expected = (double) n / counts.length;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }
}
