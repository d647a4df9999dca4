package dev.kiln.train.optim;

/**
 * Linear warmup from 0 to {@code maxLr} over {@code warmupSteps}, then cosine decay to {@code
 * minLr} at {@code decaySteps}, constant after (nanoGPT's schedule).
 *
 * <pre>{@code
 * LrSchedule s = new LrSchedule(6e-4, 6e-5, 100, 5000);
 * double lr = s.at(step);   // step counts from 0
 * }</pre>
 */
public record LrSchedule(double maxLr, double minLr, long warmupSteps, long decaySteps) {

    /** @throws IllegalArgumentException unless {@code 0 <= minLr <= maxLr} and {@code maxLr > 0} */
    public LrSchedule {
        if (!(maxLr > 0) || !(minLr >= 0) || minLr > maxLr) {
            throw new IllegalArgumentException(
                    "need 0 <= min_lr <= lr and lr > 0, got lr=" + maxLr + ", min_lr=" + minLr);
        }
        if (warmupSteps < 0 || decaySteps < warmupSteps) {
            throw new IllegalArgumentException(
                    "need 0 <= warmup_steps <= decay steps, got " + warmupSteps + " and " + decaySteps);
        }
    }

    /** Learning rate of step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return maxLr * (step + 1) / (warmupSteps + 1);
        }
        if (step >= decaySteps || decaySteps == warmupSteps) {
            return minLr;
        }
        double ratio = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        double coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
        return minLr + coeff * (maxLr - minLr);
    }
}
