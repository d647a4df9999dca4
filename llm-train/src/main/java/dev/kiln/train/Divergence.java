package dev.kiln.train;

import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.optim.LossScaler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The early stop: a non-finite loss or gradient norm (or a loss scale below 1) ends the run with a clear error. */
final class Divergence {

    private Divergence() {}

    /**
     * @param applied whether the step is applied (a float16 overflow the loss scaler skips is not divergence)
     * @throws TrainingDivergedException naming the step, loss, norm, learning rate and the checkpoint kept
     * @throws IOException when the save folder cannot be read
     */
    static void check(
            boolean applied, double loss, double norm, double lr, LossScaler scaler, long step, Path saveFolder)
            throws IOException {
        if (applied && (!Double.isFinite(loss) || !Double.isFinite(norm)) || scaler != null && scaler.scale() < 1f) {
            String keep = Checkpoints.latest(saveFolder == null ? Path.of(".") : saveFolder)
                    .map(Path::toString)
                    .orElse("none was written");
            throw new TrainingDivergedException(String.format(
                    Locale.ROOT,
                    "training diverged at step %d: loss %s, gradient norm %s (lr %.3g%s); the last good"
                            + " checkpoint is kept (%s). Lower the learning rate or raise warmup_steps and"
                            + " resume.",
                    step,
                    loss,
                    norm,
                    lr,
                    scaler == null ? "" : String.format(Locale.ROOT, ", loss scale %.3g", scaler.scale()),
                    keep));
        }
    }
}
