package dev.kiln.train.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.train.metrics.StepMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {

    static StepMetrics m(long step, double loss) {
        return new StepMetrics(step, loss, 1e-3, 1, 100, 0, 10, 1, 2, 3);
    }

    @Test
    void aMillionStepsStayWithinTheBoundAsBucketMeans() {
        RunHistory h = new RunHistory();
        for (long s = 1; s <= 1_000_000; s++) {
            h.addStep(m(s, s));
        }
        Series loss = h.series("loss");
        assertThat(loss.size()).isBetween(RunHistory.MAX_POINTS / 2, RunHistory.MAX_POINTS);
        // Each point is the mean of consecutive steps, so with loss = step, y equals x everywhere.
        for (int i = 0; i < loss.size(); i++) {
            assertThat(loss.values()[i]).isEqualTo(loss.steps()[i]);
            if (i > 0) {
                assertThat(loss.steps()[i]).isGreaterThan(loss.steps()[i - 1]);
            }
        }
        assertThat(loss.steps()[0]).isLessThan(1000);
        assertThat(loss.steps()[loss.size() - 1]).isGreaterThan(999_000);
        assertThat(h.lastStep()).isEqualTo(1_000_000);
    }

    @Test
    void aResumedRunReplacesTheStepsItRedoes() {
        RunHistory h = new RunHistory();
        for (long s = 1; s <= 30; s++) {
            h.addStep(m(s, 1));
            if (s % 10 == 0) {
                h.addEval(s, 0.5);
            }
        }
        h.addStep(m(21, 2)); // resumed from the checkpoint of step 20
        assertThat(h.series("loss").steps()).hasSize(21);
        assertThat(h.series("loss").last()).isEqualTo(2);
        assertThat(h.series("val_loss").steps()).containsExactly(10, 20);
        assertThat(h.lastStep()).isEqualTo(21);
    }

    @Test
    void readsMetricsJsonlIgnoringATornLastLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, """
                {"step":1,"loss":3.0,"lr":0.001,"grad_norm":1.0,"tokens_per_s":10,"mfu":0,"step_ms":5,"heap_bytes":1,"rss_bytes":2,"native_arrays":3}
                {"step":2,"loss":2.5,"lr":0.002,"grad_norm":0.9,"tokens_per_s":11,"mfu":0,"step_ms":5,"heap_bytes":1,"rss_bytes":2,"native_arrays":3}
                {"step":2,"val_loss":2.7}
                {"step":3,"loss":2.""");
        RunHistory h = RunHistory.read(f);
        assertThat(h.series("loss").values()).containsExactly(3.0, 2.5);
        assertThat(h.series("lr").values()).containsExactly(0.001, 0.002);
        assertThat(h.series("val_loss").values()).containsExactly(2.7);
        assertThat(h.lastStep()).isEqualTo(2);
    }

    @Test
    void aDamagedLineInsideTheFileIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        // A fragment torn by a crash, then the resumed run's lines: the fragment is skipped.
        Files.writeString(f, "{\"step\":1,\"loss\":3.0}\n{\"step\":2,\"lo\n{\"step\":2,\"loss\":2.0}\n");
        assertThat(RunHistory.read(f).series("loss").values()).containsExactly(3.0, 2.0);
        Files.writeString(f, "{\"step\":1,\"loss\":3.0}\nnot json\n{\"step\":2,\"loss\":2.0}\n");
        assertThatThrownBy(() -> RunHistory.read(f))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("metrics.jsonl")
                .hasMessageContaining("line 2 is not a JSON object");
        Files.writeString(f, "{\"loss\":3.0}\n");
        assertThatThrownBy(() -> RunHistory.read(f)).hasMessageContaining("line 1 has no integer 'step'");
    }

    @Test
    void unknownMetricIsNamed() {
        assertThatThrownBy(() -> new RunHistory().series("loss2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown metric 'loss2'");
    }

    @Test
    void smoothingMatchesTensorBoardsDebiasedEma() {
        Series s = new Series("loss", new double[] {1, 2, 3}, new double[] {1, 3, 5});
        Series sm = s.smoothed(0.5);
        // acc: 0.5, 0.5*0.5+0.5*3=1.75, 1.75*0.5+2.5=3.375; debias by 1-0.5^n: 1, 2.333.., 3.857..
        assertThat(sm.values()[0]).isEqualTo(1.0);
        assertThat(sm.values()[1]).isCloseTo(1.75 / 0.75, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(sm.values()[2]).isCloseTo(3.375 / 0.875, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.smoothed(0)).isSameAs(s);
        assertThatThrownBy(() -> s.smoothed(1)).hasMessage("smoothing must be in [0, 1), got 1.0");
    }
}
