package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ServeLoadTest {

    @Test
    void roundsAlternateTheOrderOfTheWindows() {
        assertThat(ServeLoad.order(2, 0)).containsExactly(0, 1);
        assertThat(ServeLoad.order(2, 1)).containsExactly(1, 0);
        assertThat(ServeLoad.order(2, 2)).containsExactly(0, 1);
        assertThat(ServeLoad.order(4, 1)).containsExactly(3, 2, 1, 0);
        assertThat(ServeLoad.order(1, 1)).containsExactly(0);
    }

    @Test
    void ratiosPairTheWindowsOfOneRound() {
        // Round 2's host is twice as fast for both levels: its ratio is the same as round 1's.
        double[][] throughput = {{100, 600}, {200, 1200}, {100, 500}};
        double[][] ratios = ServeLoad.ratios(throughput);
        assertThat(ratios[0]).containsExactly(1.0, 6.0);
        assertThat(ratios[1]).containsExactly(1.0, 6.0);
        assertThat(ratios[2]).containsExactly(1.0, 5.0);
        assertThat(ServeLoad.median(ratios, 1)).isEqualTo(6.0);
        // Pooling the windows instead would have said 2300 / 400 = 5.75.
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        double[][] rows = {{1, 7}, {1, 5}, {1, 6.5}, {1, 4}};
        assertThat(ServeLoad.median(rows, 1)).isCloseTo(5.75, within(1e-12));
        assertThat(ServeLoad.median(new double[][] {{3}}, 0)).isEqualTo(3.0);
    }
}
