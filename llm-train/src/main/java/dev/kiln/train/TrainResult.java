package dev.kiln.train;

import java.nio.file.Path;

/**
 * What a {@link Trainer#fit()} run ended with.
 *
 * @param steps optimizer steps completed (including those before a resume)
 * @param resumedFrom the step the run resumed from (0 for a fresh start)
 * @param lastLoss training loss of the last step
 * @param lastValLoss the last validation loss, NaN when never evaluated
 * @param lastCheckpoint the last checkpoint written, or {@code null}
 * @param medianStepMillis median step time of this run
 */
public record TrainResult(
        long steps,
        long resumedFrom,
        double lastLoss,
        double lastValLoss,
        Path lastCheckpoint,
        double medianStepMillis) {}
