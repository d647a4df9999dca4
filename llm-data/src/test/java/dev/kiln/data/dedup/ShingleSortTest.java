package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ShingleSortTest {

    /** The reference: Arrays.sort, then repeats dropped. */
    private static long[] reference(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return Arrays.stream(s).distinct().toArray();
    }

    private static long[] sortUnique(ShingleSort sort, long[] a) {
        long[] copy = Arrays.copyOf(a, a.length + 3); // the slack past n must be left alone
        Arrays.fill(copy, a.length, copy.length, 42L);
        int u = sort.sortUnique(copy, a.length);
        assertThat(Arrays.copyOfRange(copy, a.length, copy.length)).containsOnly(42L);
        return Arrays.copyOf(copy, u);
    }

    @Property(tries = 300)
    void matchesSortThenDistinct(@ForAll("shingleArrays") long[] a) {
        assertThat(sortUnique(new ShingleSort(), a)).containsExactly(reference(a));
    }

    /**
     * Values that share their top bits fill one bucket far beyond the insertion sort's limit (the
     * fallback path), and the sign bit must order negative values first.
     */
    @Property(tries = 100)
    void crowdedBucketsAndSignsStaySorted(
            @ForAll @IntRange(min = 64, max = 5000) int n,
            @ForAll @IntRange(min = 0, max = 63) int sharedTopBits,
            @ForAll long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long top = r.nextLong();
        long mask = sharedTopBits == 0 ? 0 : -1L << (64 - sharedTopBits);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = (top & mask) | (r.nextLong() & ~mask);
            if (i > 0 && r.nextInt(5) == 0) {
                a[i] = a[r.nextInt(i)]; // repeats
            }
        }
        assertThat(sortUnique(new ShingleSort(), a)).containsExactly(reference(a));
    }

    @Property(tries = 50)
    void oneInstanceSortsManyArraysOfDifferentSizes(
            @ForAll("shingleArrays") long[] a, @ForAll("shingleArrays") long[] b) {
        ShingleSort sort = new ShingleSort();
        assertThat(sortUnique(sort, a)).containsExactly(reference(a));
        assertThat(sortUnique(sort, b)).containsExactly(reference(b));
        assertThat(sortUnique(sort, a)).containsExactly(reference(a));
    }

    @Provide
    Arbitrary<long[]> shingleArrays() {
        Arbitrary<Long> values = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(-5, 5),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L));
        return values.array(long[].class).ofMinSize(0).ofMaxSize(3000);
    }
}
