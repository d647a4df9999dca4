package dev.kiln.train.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChartsTest {

    @Test
    void ticksEncloseTheRangeAtOneTwoFiveSteps() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 5000; i++) {
            double scale = Math.pow(10, r.nextInt(-9, 13));
            double lo = (r.nextDouble() * 2 - 1) * scale;
            double hi = lo + r.nextDouble(1e-3, 10) * scale;
            double[] t = Charts.ticks(lo, hi);
            assertThat(t.length).as("[%s, %s]", lo, hi).isBetween(3, 12);
            assertThat(t[0]).isLessThanOrEqualTo(lo + Math.abs(hi - lo) * 1e-9);
            assertThat(t[t.length - 1]).isGreaterThanOrEqualTo(hi - Math.abs(hi - lo) * 1e-9);
            double step = t[1] - t[0];
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            assertThat(List.of(1L, 2L, 5L, 10L)).contains(Math.round(mantissa));
        }
    }

    @Test
    void labelsUseSuffixesUnitsAndEnoughDecimals() {
        assertThat(Charts.label(25_000, 5_000, Charts.Unit.PLAIN)).isEqualTo("25k");
        assertThat(Charts.label(1.5e6, 5e5, Charts.Unit.PLAIN)).isEqualTo("1.5M");
        assertThat(Charts.label(1e6, 5e5, Charts.Unit.PLAIN)).isEqualTo("1M");
        assertThat(Charts.label(5e5, 5e5, Charts.Unit.PLAIN)).isEqualTo("500k");
        assertThat(Charts.label(2.25, 0.05, Charts.Unit.PLAIN)).isEqualTo("2.25");
        assertThat(Charts.label(4e-4, 2e-4, Charts.Unit.PLAIN)).isEqualTo("4e-04");
        assertThat(Charts.label(0.35, 0.05, Charts.Unit.PERCENT)).isEqualTo("35%");
        assertThat(Charts.label(300L << 20, 100L << 20, Charts.Unit.MIB)).isEqualTo("300");
        assertThat(Charts.label(0, 1, Charts.Unit.PLAIN)).isEqualTo("0");
    }

    @Test
    void aChartHasBothAxesWithTicksLabelsAndItsLines() {
        Series s = new Series("loss", new double[] {1, 2, 3, 4}, new double[] {4, 3, 2.5, 2.2});
        String svg = Charts.svg(
                new Charts.Chart(
                        "loss",
                        "Loss",
                        "step",
                        "loss (nats/token)",
                        Charts.Unit.PLAIN,
                        List.of(new Charts.Line("train", "#1f77b4", s, false, true)),
                        null),
                0.6);
        assertThat(svg)
                .contains("<g class=\"axis x\">", "<g class=\"axis y\">", ">step</text>", ">loss (nats/token)</text>")
                .contains("class=\"raw\"", "class=\"line\"");
        assertThat(svg.split("class=\"tick\"", -1).length - 1).isGreaterThanOrEqualTo(6);
        String empty = Charts.svg(new Charts.Chart("x", "X", "step", "y", Charts.Unit.PLAIN, List.of(), null), 0);
        assertThat(empty).contains("no data yet", "<g class=\"axis x\">");
        // One evaluation at pass@1 = 0: a dot on a 0-100% axis around its step, not a 1e-12 range.
        String dot = Charts.svg(
                new Charts.Chart(
                        "p",
                        "pass@1",
                        "step",
                        "pass@1",
                        Charts.Unit.PERCENT,
                        List.of(new Charts.Line(
                                "pass@1", "#1f77b4", new Series("pass@1", new double[] {16}, new double[] {0}), false)),
                        null),
                0);
        assertThat(dot)
                .contains("<circle", ">100%</text>", ">0%</text>", ">16</text>")
                .doesNotContainPattern(">[^<]*e-[0-9]+%<");
    }
}
