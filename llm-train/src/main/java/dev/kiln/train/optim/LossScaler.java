package dev.kiln.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 training, as PyTorch's {@code GradScaler}: the loss is multiplied
 * by {@link #scale()} before the backward pass so small gradients survive float16; a step whose
 * gradients overflowed (inf/NaN) is skipped and the scale halved; after {@code growthInterval}
 * good steps in a row the scale doubles. The state goes into checkpoints so a resumed run continues
 * bit-identically.
 *
 * <pre>{@code
 * LossScaler s = LossScaler.builder().build();          // 2^16, growth every 2000 steps
 * float used = s.scale();
 * boolean apply = s.update(Double.isFinite(gradNorm));   // false: skip this optimizer step
 * }</pre>
 */
public final class LossScaler {

    private final int growthInterval;
    private float scale;
    private int goodSteps;
    private long skipped;

    private LossScaler(Builder b) {
        this.growthInterval = b.growthInterval;
        this.scale = b.initialScale;
    }

    /** A builder with the default initial scale. */
    public static Builder builder() {
        return new Builder();
    }

    /** The factor the loss is multiplied by this step. */
    public float scale() {
        return scale;
    }

    /** Steps skipped so far because their gradients overflowed. */
    public long skipped() {
        return skipped;
    }

    /**
     * Records whether this step's (scaled) gradients were finite and updates the scale.
     *
     * @return whether the optimizer should apply this step
     */
    public boolean update(boolean finite) {
        if (!finite) {
            scale *= 0.5f;
            goodSteps = 0;
            skipped++;
            return false;
        }
        if (++goodSteps >= growthInterval) {
            scale *= 2f;
            goodSteps = 0;
        }
        return true;
    }

    /** The state for a checkpoint. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", (double) scale);
        m.put("good_steps", goodSteps);
        m.put("skipped", skipped);
        return m;
    }

    /** Restores {@link #state()}. */
    public void restore(double scale, int goodSteps, long skipped) {
        if (!(scale > 0) || Double.isInfinite(scale) || goodSteps < 0 || skipped < 0) {
            throw new IllegalArgumentException("bad loss-scaler state: scale " + scale + ", good steps " + goodSteps);
        }
        this.scale = (float) scale;
        this.goodSteps = goodSteps;
        this.skipped = skipped;
    }

    /** Builder; values are checked when set. */
    public static final class Builder {
        private float initialScale = 65536f;
        private int growthInterval = 2000;

        private Builder() {}

        /** The first scale (default 2^16). */
        public Builder optInitialScale(float v) {
            if (!(v >= 1) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("initial loss scale must be a finite number >= 1, got " + v);
            }
            this.initialScale = v;
            return this;
        }

        /** Good steps in a row before the scale doubles (default 2000). */
        public Builder optGrowthInterval(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("growth interval must be >= 1, got " + n);
            }
            this.growthInterval = n;
            return this;
        }

        /** The loss scaler with the settings given. */
        public LossScaler build() {
            return new LossScaler(this);
        }
    }
}
