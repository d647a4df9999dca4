package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LshParamsTest {

    private static double area(LshParams p, double t, double from, double to, boolean fp) {
        int steps = 4_000;
        double h = (to - from) / steps;
        double sum = 0;
        for (int i = 0; i < steps; i++) {
            double s = from + (i + 0.5) * h;
            double pr = p.candidateProbability(s);
            sum += fp ? pr : 1 - pr;
        }
        return sum * h;
    }

    private static double error(LshParams p, double t) {
        return 0.5 * area(p, t, 0, t, true) + 0.5 * area(p, t, t, 1, false);
    }

    @Test
    void optimalMinimisesTheWeightedErrorAreas() {
        LshParams best = LshParams.optimal(0.7, 256);
        assertThat(best.width()).isLessThanOrEqualTo(256);
        double e = error(best, 0.7);
        // no other banding does better (checked with an independent midpoint-rule integration)
        for (int b = 1; b <= 256; b++) {
            for (int r = 1; r <= 256 / b; r++) {
                assertThat(error(new LshParams(b, r), 0.7)).isGreaterThanOrEqualTo(e - 1e-6);
            }
        }
        assertThat(best.candidateProbability(0.9)).isGreaterThan(0.999);
        assertThat(best.candidateProbability(0.3)).isLessThan(0.01);
    }

    /** The unpruned search: every bands × rows, Simpson's rule as in {@link LshParams#optimal}. */
    private static LshParams bruteForce(double t, int perms, double fpWeight, double fnWeight) {
        int steps = 200;
        double hLo = t / steps;
        double hHi = (1 - t) / steps;
        double best = Double.MAX_VALUE;
        LshParams bestParams = null;
        for (int b = 1; b <= perms; b++) {
            for (int r = 1; r <= perms / b; r++) {
                double fp = 0;
                double fn = 0;
                for (int i = 0; i <= steps; i++) {
                    double w = i == 0 || i == steps ? 1 : ((i & 1) == 1 ? 4 : 2);
                    double lo = 0 + i * hLo;
                    double hi = t + i * hHi;
                    // (1 - s^r)^b as optimal builds it: b successive multiplications
                    double baseLo = 1 - Math.pow(lo, r);
                    double baseHi = 1 - Math.pow(hi, r);
                    double qLo = 1;
                    double qHi = 1;
                    for (int k = 0; k < b; k++) {
                        qLo *= baseLo;
                        qHi *= baseHi;
                    }
                    fp += w * (1 - qLo);
                    fn += w * qHi;
                }
                double err = fpWeight * (fp * hLo / 3) + fnWeight * (fn * hHi / 3);
                if (err < best) {
                    best = err;
                    bestParams = new LshParams(b, r);
                }
            }
        }
        return bestParams;
    }

    /** The pruned search finds exactly what trying every banding finds. */
    @Property(tries = 40)
    void pruningKeepsTheOptimum(
            @ForAll @DoubleRange(min = 0.05, max = 0.95) double threshold,
            @ForAll @IntRange(min = 1, max = 160) int perms,
            @ForAll @DoubleRange(min = 0.01, max = 0.99) double fpWeight) {
        assertThat(LshParams.optimal(threshold, perms, fpWeight, 1 - fpWeight))
                .isEqualTo(bruteForce(threshold, perms, fpWeight, 1 - fpWeight));
    }

    @Test
    void prunedDefaultsAreTheUnprunedOnes() {
        assertThat(LshParams.optimal(0.7, 256, 0.01, 0.99)).isEqualTo(bruteForce(0.7, 256, 0.01, 0.99));
        assertThat(LshParams.optimal(0.7, 256)).isEqualTo(bruteForce(0.7, 256, 0.5, 0.5));
        assertThat(LshParams.optimal(0.7, 256)).isEqualTo(new LshParams(25, 10)); // BigCode's
    }

    @Test
    void weightsShiftTheCurve() {
        LshParams recall = LshParams.optimal(0.7, 256, 0.1, 0.9);
        LshParams precision = LshParams.optimal(0.7, 256, 0.9, 0.1);
        assertThat(recall.candidateProbability(0.65)).isGreaterThan(precision.candidateProbability(0.65));
    }

    @Test
    void badValuesAreRejected() {
        assertThatThrownBy(() -> LshParams.optimal(1.0, 256)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new LshParams(0, 3)).hasMessageContaining("bands=0");
    }
}
