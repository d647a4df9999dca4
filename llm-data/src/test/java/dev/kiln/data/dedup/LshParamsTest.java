package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
