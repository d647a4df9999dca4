package dev.kiln.serve.engine;

/**
 * The prompt share of a {@link Scheduler}'s steps. Each step has a token budget ({@code
 * prefillChunk}): every decoding sequence takes one token of it, and what is left goes to prompts.
 * While sequences decode, the prompt share is also bounded in time: moving averages of decode-only
 * steps and of the extra time each prompt token adds to a step give prompts as many tokens as fit
 * in {@code (prefillSlowdown − 1)} decode steps. Only the scheduler thread uses it.
 */
final class StepBudget {

    private final int stepTokens;
    private final double slowdown;
    /** Moving average of a decode-only step, in nanoseconds (0 until measured). */
    private double decodeNanos;
    /** Moving average of the time one prompt token adds to a step, in nanoseconds (0 until measured). */
    private double prefillNanosPerToken;

    StepBudget(int stepTokens, double slowdown) {
        this.stepTokens = stepTokens;
        this.slowdown = slowdown;
    }

    /** The moving average of a decode-only step in nanoseconds, 0 until measured. */
    double decodeNanos() {
        return decodeNanos;
    }

    /** Whether a step of {@code nanos} took over five decode-only steps (worth a debug line). */
    boolean isSlow(long nanos) {
        return decodeNanos > 0 && nanos > 5 * decodeNanos;
    }

    /** Prompt tokens the first mixed step may take before any prefill cost is measured. */
    private static final int FIRST_CHUNK = 16;
    /** The fewest prompt tokens a step takes, so a prompt progresses even when its steps are slow. */
    private static final int MIN_CHUNK = 8;
    /** Weight of the newest measurement in the moving averages. */
    private static final double ALPHA = 0.3;

    /** The prompt tokens of the next step, given the sequences decoding in it. */
    int prefillBudget(int decoding) {
        int cap = Math.max(1, stepTokens - decoding);
        if (slowdown == 0 || decoding == 0) {
            return cap;
        }
        if (decodeNanos == 0 || prefillNanosPerToken == 0) {
            return Math.min(cap, FIRST_CHUNK);
        }
        double tokens = (slowdown - 1) * decodeNanos / prefillNanosPerToken;
        return (int) Math.max(Math.min(cap, MIN_CHUNK), Math.min(cap, tokens));
    }

    /** Updates the step-time averages with a step of {@code nanos} that decoded and prefilled so many tokens. */
    void measure(long nanos, int decoding, int prefill) {
        if (prefill == 0) {
            decodeNanos = decodeNanos == 0 ? nanos : decodeNanos + ALPHA * (nanos - decodeNanos);
        } else if (decoding > 0 && decodeNanos > 0) {
            double perToken = Math.max(0, nanos - decodeNanos) / prefill;
            prefillNanosPerToken = prefillNanosPerToken == 0
                    ? perToken
                    : prefillNanosPerToken + ALPHA * (perToken - prefillNanosPerToken);
        } else if (prefillNanosPerToken == 0) {
            prefillNanosPerToken = (double) nanos / prefill; // a first guess from a prefill-only step
        }
    }
}
