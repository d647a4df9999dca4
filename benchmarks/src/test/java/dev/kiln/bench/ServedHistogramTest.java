package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.serve.metrics.ServeMetrics;
import org.junit.jupiter.api.Test;

class ServedHistogramTest {

    @Test
    void readsTheServersOwnExpositionAndDiffsTwoSnapshots() {
        ServeMetrics m = new ServeMetrics();
        m.tokenDelivery().observeNanos(50_000); // 0.05 ms: first bucket (0.1 ms)
        ServedHistogram before = ServedHistogram.parse(m.exposition(), "kiln_token_delivery_seconds");
        assertThat(before.count()).isEqualTo(1);
        for (int i = 0; i < 98; i++) {
            m.tokenDelivery().observeNanos(300_000); // 0.3 ms: the 0.5 ms bucket
        }
        m.tokenDelivery().observeNanos(3_000_000); // 3 ms: the 4 ms bucket
        m.tokenDelivery().observeNanos(5_000_000_000L); // 5 s: only +Inf
        ServedHistogram round = ServedHistogram.parse(m.exposition(), "kiln_token_delivery_seconds")
                .minus(before);
        assertThat(round.count()).isEqualTo(100);
        assertThat(round.quantileBound(0.5)).isEqualTo(0.0005);
        assertThat(round.quantileBound(0.98)).isEqualTo(0.0005);
        assertThat(round.quantileBound(0.99)).isEqualTo(0.004);
        assertThat(round.maxBound()).isInfinite();
        assertThat(ServedHistogram.ms(round.quantileBound(0.99))).isEqualTo("4.0");
        assertThat(ServedHistogram.ms(round.maxBound())).isEqualTo("> 1000");
        // two significant digits, never an exponent
        assertThat(ServedHistogram.ms(0.0005)).isEqualTo("0.50");
        assertThat(ServedHistogram.ms(0.016)).isEqualTo("16");
        assertThat(ServedHistogram.ms(0.0996)).isEqualTo("100");
        assertThat(ServedHistogram.ms(0.25)).isEqualTo("250");
        assertThat(ServedHistogram.ms(1.0)).isEqualTo("1000");
        ServedHistogram nothing = before.minus(before);
        assertThat(nothing.count()).isZero();
        assertThat(ServedHistogram.ms(nothing.quantileBound(0.99))).isEqualTo("-");
    }

    @Test
    void aMissingHistogramIsAClearError() {
        assertThatThrownBy(() -> ServedHistogram.parse(new ServeMetrics().exposition(), "kiln_nothing_seconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no histogram kiln_nothing_seconds (with a +Inf bucket) in the exposition");
    }
}
