package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StreamGapsTest {

    private static final long MS = 1_000_000L;

    private static List<Long> ms(long... times) {
        return java.util.Arrays.stream(times).map(t -> t * MS).boxed().toList();
    }

    @Test
    void countsOnlyTheGapsWhileEveryStreamDecodes() {
        // Stream 0 starts at 0 with a 50 ms gap before stream 1's first token (its arrival, not
        // counted); both then tick every 10 ms with one 40 ms stall; stream 1 runs on alone after
        // stream 0 ends, with a 90 ms gap (not counted either).
        List<List<Long>> arrivals =
                List.of(ms(0, 50, 60, 70, 80, 120, 130, 140), ms(55, 65, 75, 85, 125, 135, 145, 235));
        StreamGaps g = StreamGaps.of(arrivals);
        assertThat(g.windowStartNanos()).isEqualTo(55 * MS);
        assertThat(g.windowEndNanos()).isEqualTo(140 * MS);
        // Stream 0: 60-70-80-120-130-140 (5 gaps); stream 1: 55-65-75-85-125-135 (5 gaps).
        assertThat(g.count()).isEqualTo(10);
        assertThat(g.median()).isEqualTo(10.0);
        assertThat(g.worst()).isEqualTo(40.0);
        assertThat(g.worstStream()).isZero();
        assertThat(g.worstEndNanos()).isEqualTo(120 * MS);
        assertThat(g.ratio()).isEqualTo(4.0);
    }

    @Test
    void aStreamWithoutTokensOrNoOverlapIsAClearError() {
        assertThatThrownBy(() -> StreamGaps.of(List.of(ms(0, 10), List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream 1 received no token");
        assertThatThrownBy(() -> StreamGaps.of(List.of(ms(0, 10), ms(20, 30))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no inter-token gap falls in the window where all 2 streams decode");
    }
}
