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
    /** Prompt tokens of the last step that also decoded (0: none yet). */
    private int lastMixedPrefill;

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
    /**
     * Weight of a prompt-token cost above the average: a step that ran long raises the estimate
     * at once, so the next chunk shrinks before it stalls the streams again.
     */
    private static final double ALPHA_UP = 0.7;
    /**
     * A mixed step takes at most this many times the prompt tokens of the last one. The per-token
     * cost is the difference of two noisy step times; a single mixed step that happened to run
     * as fast as a decode step measures it near zero, and without this cap the next chunk would
     * take the whole token budget (hundreds of tokens) and stall every stream for that step.
     */
    private static final double GROWTH = 1.5;

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
        if (lastMixedPrefill > 0) {
            tokens = Math.min(tokens, Math.max(FIRST_CHUNK, GROWTH * lastMixedPrefill));
        }
        return (int) Math.max(Math.min(cap, MIN_CHUNK), Math.min(cap, tokens));
    }

    /** Updates the step-time averages with a step of {@code nanos} that decoded and prefilled so many tokens. */
    void measure(long nanos, int decoding, int prefill) {
        if (prefill == 0) {
            decodeNanos = decodeNanos == 0 ? nanos : decodeNanos + ALPHA * (nanos - decodeNanos);
        } else if (decoding > 0 && decodeNanos > 0) {
            double perToken = Math.max(0, nanos - decodeNanos) / prefill;
            double alpha = perToken > prefillNanosPerToken ? ALPHA_UP : ALPHA;
            prefillNanosPerToken = prefillNanosPerToken == 0
                    ? perToken
                    : prefillNanosPerToken + alpha * (perToken - prefillNanosPerToken);
            lastMixedPrefill = prefill;
        } else if (prefillNanosPerToken == 0) {
            prefillNanosPerToken = (double) nanos / prefill; // a first guess from a prefill-only step
        }
    }
}
