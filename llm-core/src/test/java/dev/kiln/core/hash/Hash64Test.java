package dev.kiln.core.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Hash64Test {

    @Test
    void outputsArePinned() {
        // values of the dedup hash before it moved to llm-core: dedup keeps/drops by them
        assertThat(Hash64.hashChars("class Main {}", 0, 13, 42L)).isEqualTo(0x9e28d3ed615a860dL);
        assertThat(Hash64.hashChars("static", 0, 6, 3L)).isEqualTo(0xfcc0cc81c78640e2L);
        assertThat(Hash64.hashInts(new int[] {1, 2, 3, 4, 5}, 0, 5, 0L)).isEqualTo(0xfdf17f0c9530b9a1L);
        assertThat(Hash64.finish(Hash64.combine(7L, 11L))).isEqualTo(0x9ea222d2751aafcbL);
    }

    @Test
    void stepAndTailRebuildHashChars() {
        String s = "public static";
        long h = 5L ^ 0xa0761d6478bd642fL;
        int i = 0;
        for (; i + 4 <= s.length(); i += 4) {
            long v = s.charAt(i)
                    | ((long) s.charAt(i + 1) << 16)
                    | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h = Hash64.step(h, v);
        }
        long v = 0;
        for (int shift = 0; i < s.length(); i++, shift += 16) {
            v |= (long) s.charAt(i) << shift;
        }
        assertThat(Hash64.finish(Hash64.tail(h, v, s.length()))).isEqualTo(Hash64.hashChars(s, 0, s.length(), 5L));
    }

    @Test
    void fmix64MatchesMurmur3() {
        // MurmurHash3_x64_128's fmix64 maps 0 to 0 and is a bijection; known value from the
        // reference implementation's constants applied to 1
        assertThat(Hash64.fmix64(0)).isZero();
        long x = 1;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        assertThat(Hash64.fmix64(1)).isEqualTo(x);
    }

    @Test
    void slotsOfSequentialPairKeysSpreadOverTheTable() {
        int mask = (1 << 12) - 1;
        long[] counts = new long[mask + 1];
        int n = 200_000;
        for (int a = 0; a < 400; a++) {
            for (int b = 0; b < 500; b++) {
                int s = Hash64.slot(((long) a << 32) | b, mask);
                assertThat(s).isBetween(0, mask);
                counts[s]++;
            }
        }
        assertThat(chiSquare(counts, n)).isLessThan(4600); // df = 4095, p(χ² > 4600) < 1e-6
        assertThat(Hash64.slot(0x1234_5678_9abc_def0L, mask))
                .isEqualTo((int) ((0x1234_5678_9abc_def0L * 0x9e3779b97f4a7c15L)
                                ^ ((0x1234_5678_9abc_def0L * 0x9e3779b97f4a7c15L) >>> 29))
                        & mask);
    }

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
