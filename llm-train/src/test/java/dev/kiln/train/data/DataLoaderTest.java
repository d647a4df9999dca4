package dev.kiln.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** 50 rows of 8 tokens; row r holds r·100 + position (so a row's id is its first token / 100). */
    static InMemorySequences rows() {
        int n = 50;
        int len = 8;
        int[] tokens = new int[n * len + 1];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < len; i++) {
                tokens[r * len + i] = r * 100 + i;
            }
        }
        tokens[n * len] = n * 100;
        return new InMemorySequences(tokens, len);
    }

    static List<int[]> take(DataLoader l, int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(l.next().inputs().clone());
        }
        return out;
    }

    @Test
    void everyEpochVisitsEveryRowOnceInASeededOrder() {
        InMemorySequences data = rows();
        try (DataLoader a = new DataLoader(data, 5, 3);
                DataLoader b = new DataLoader(data, 5, 3);
                DataLoader c = new DataLoader(data, 5, 4)) {
            List<int[]> fromA = take(a, 20); // two epochs of 10 batches
            assertThat(take(b, 20)).containsExactlyElementsOf(fromA);
            assertThat(take(c, 20)).isNotEqualTo(fromA);
            for (int epoch = 0; epoch < 2; epoch++) {
                Set<Integer> seen = new HashSet<>();
                for (int[] batch : fromA.subList(epoch * 10, epoch * 10 + 10)) {
                    for (int r = 0; r < 5; r++) {
                        seen.add(batch[r * 8] / 100);
                        assertThat(batch[r * 8 + 7] - batch[r * 8]).isEqualTo(7); // whole rows
                    }
                }
                assertThat(seen).hasSize(50);
            }
        }
    }

    @Test
    void restoringARunningLoaderBackwardsAndForwardsIsExact() throws Exception {
        InMemorySequences data = rows();
        List<int[]> reference;
        try (DataLoader l = new DataLoader(data, 3, 9)) {
            reference = take(l, 60);
        }
        try (DataLoader l = new DataLoader(data, 3, 9)) {
            take(l, 25);
            long[] at25 = l.state();
            take(l, 2);
            Thread.sleep(50); // let the reader run ahead
            l.restore(new long[] {0, 0});
            assertThat(take(l, 10)).containsExactlyElementsOf(reference.subList(0, 10));
            l.restore(at25);
            assertThat(take(l, 35)).containsExactlyElementsOf(reference.subList(25, 60));
        }
    }

    @Test
    void aBatchStaysValidUntilTheNextButOneCall() {
        try (DataLoader l = new DataLoader(rows(), 4, 1)) {
            for (int i = 0; i < 30; i++) {
                DataLoader.Batch b = l.next();
                int[] copy = b.inputs().clone();
                l.next();
                assertThat(b.inputs()).isEqualTo(copy);
            }
        }
    }

    @Test
    void aFailingReadIsReportedAndTheNextCallRetriesTheSameBatch() {
        InMemorySequences data = rows();
        boolean[] fail = {true};
        TokenSequences flaky = new TokenSequences() {
            @Override
            public long size() {
                return data.size();
            }

            @Override
            public int seqLen() {
                return data.seqLen();
            }

            @Override
            public void read(long index, int[] into) {
                if (fail[0]) {
                    throw new IllegalStateException("disk went away");
                }
                data.read(index, into);
            }
        };
        List<int[]> reference;
        try (DataLoader l = new DataLoader(data, 5, 2)) {
            reference = take(l, 3);
        }
        try (DataLoader l = new DataLoader(flaky, 5, 2)) {
            assertThatThrownBy(l::next)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reading a batch failed: disk went away");
            assertThat(l.state()).containsExactly(0, 0);
            fail[0] = false;
            assertThat(take(l, 3)).containsExactlyElementsOf(reference);
        }
    }

    @Test
    void badStatesAndUseAfterCloseAreRejected() {
        DataLoader l = new DataLoader(rows(), 5, 2);
        assertThatThrownBy(() -> l.restore(new long[] {0, 50})).hasMessageContaining("[0, 50]");
        assertThatThrownBy(() -> new DataLoader(rows(), 0, 2)).hasMessageContaining("0");
        l.next();
        l.close();
        assertThatThrownBy(l::next).hasMessageContaining("closed");
    }
}
