package dev.kiln.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DedupRunnerTest {

    @Test
    void theUsualFormsAreParsedWithoutPicocli() {
        DedupRunner r = DedupRunner.quickParse(new String[] {"corpus", "removed.txt"});
        assertThat(r).isNotNull();
        assertThat(r.dir).isEqualTo(Path.of("corpus"));
        assertThat(r.out).isEqualTo(Path.of("removed.txt"));
        assertThat(r.verify).isNull();
        assertThat(r.threads).isNull();
        assertThat(r.bands).isNull();

        r = DedupRunner.quickParse(
                new String[] {"--verify", "exact", "corpus", "--threads=3", "removed.txt", "--bands", "25x10"});
        assertThat(r).isNotNull();
        assertThat(r.verify).isEqualTo("exact");
        assertThat(r.threads).isEqualTo(3);
        assertThat(r.bands).isEqualTo(new Bands(25, 10));
        assertThat(r.dir).isEqualTo(Path.of("corpus"));
    }

    /** Everything else is left to picocli, which prints the usage or the one-line error. */
    @Test
    void fileNamesAreThoseDedupQualityWrites() {
        for (int i : new int[] {0, 7, 42, 999, 1_000, 65_535, 123_456, 999_999, 1_000_000, 12_345_678}) {
            assertThat(DedupRunner.fileName(i)).isEqualTo(String.format("%06d.txt", i));
        }
    }

    @Test
    void anythingElseGoesToPicocli() {
        String[][] others = {
            {"--help"},
            {"-h"},
            {"-V"},
            {"corpus"},
            {"a", "b", "c"},
            {"corpus", "out", "--nope", "1"},
            {"corpus", "out", "--verify", "maybe"},
            {"corpus", "out", "--threads", "two"},
            {"corpus", "out", "--threads", "-1"},
            {"corpus", "out", "--bands", "25"},
            {"corpus", "out", "--verify"}
        };
        for (String[] args : others) {
            assertThat(DedupRunner.quickParse(args)).as(String.join(" ", args)).isNull();
        }
    }
}
