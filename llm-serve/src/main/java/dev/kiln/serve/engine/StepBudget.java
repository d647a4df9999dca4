package dev.kiln.serve.engine;

import java.util.Arrays;

/**
 * The prompt share of a {@link Scheduler}'s steps. Each step has a token budget ({@code
 * prefillChunk}): every decoding sequence takes one token of it, and what is left goes to prompts.
 * While sequences decode, the prompt share is also bounded in time: each waiting prompt adds at
 * most {@code prefillSlowdown − 1} decode-only steps to a mixed step (one long prompt: the step
 * takes at most {@code prefillSlowdown} decode-only steps), from the median of the recent
 * decode-only steps (of the same batch, when enough were seen) and an upper quantile of the recent
 * per-token costs of mixed steps. Medians and quantiles, not moving averages: one slow step (the
 * other core busy, a request being parsed) moves neither, where a moving average of the decode
 * step, frozen for the whole prefill because no decode-only step runs then, planned every chunk of
 * a long prompt on that one slow step. After {@link #REFRESH} mixed steps in a row one step decodes
 * only, so the decode time stays measured during a long prefill. Only the scheduler thread uses
 * it; it allocates nothing per step.
 */
final class StepBudget {

    /** Decode-only steps remembered for the decode-step median. */
    private static final int DECODE_WINDOW = 16;
    /**
     * After this many mixed steps in a row, one step decodes only. During a long prompt's prefill
     * no step decodes only, so nothing would tell the budget that decoding got faster (the other
     * core became free) or slower; the refresh step also gives the streams a short gap.
     */
    static final int REFRESH = 8;
    /** Same-batch steps needed before the median uses only them. */
    private static final int SAME_BATCH = 3;
    /** Mixed steps remembered for the per-token cost. */
    private static final int PREFILL_WINDOW = 8;
    /** Prompt tokens the first mixed step may take before any prefill cost is measured. */
    private static final int FIRST_CHUNK = 16;
    /** The fewest prompt tokens a step takes, so a prompt progresses even when its steps are slow. */
    private static final int MIN_CHUNK = 8;
    /**
     * A mixed step takes at most this many times the prompt tokens of the last one. The per-token
     * cost is the difference of two noisy step times; mixed steps that happened to run as fast as
     * a decode step measure it near zero, and without this cap the next chunk could take the
     * whole token budget (hundreds of tokens) and stall every stream for that step.
     */
    private static final double GROWTH = 1.5;

    private final int stepTokens;
    private final double slowdown;
    /** Ring of the last decode-only steps: nanoseconds and the sequences they decoded. */
    private final long[] decodeTimes = new long[DECODE_WINDOW];

    private final int[] decodeRows = new int[DECODE_WINDOW];
    private int decodeSeen;
    /** Ring of the last mixed steps' cost per prompt token, in nanoseconds. */
    private final double[] tokenCosts = new double[PREFILL_WINDOW];

    private int tokenSeen;
    /** A prefill-only step's time per token: a first guess until a mixed step is measured. */
    private double firstGuess;

    private final double[] scratch = new double[DECODE_WINDOW];
    /** Prompt tokens of the last step that also decoded (0: none yet). */
    private int lastMixedPrefill;
    /** The time of the last step that also decoded (0: none yet). */
    private long lastMixedNanos;
    /** Mixed steps since the last decode-only step. */
    private int mixedRun;
    /** Sequences decoding in the last decode-only step. */
    private int lastDecoding;

    StepBudget(int stepTokens, double slowdown) {
        this.stepTokens = stepTokens;
        this.slowdown = slowdown;
    }

    /** The median decode-only step of the last batch size in nanoseconds, 0 until measured. */
    double decodeNanos() {
        return decodeNanos(lastDecoding);
    }

    /** The planned time one prompt token adds to a step in nanoseconds, 0 until measured. */
    double prefillNanosPerToken() {
        int n = Math.min(tokenSeen, PREFILL_WINDOW);
        if (n == 0) {
            return firstGuess;
        }
        System.arraycopy(tokenCosts, 0, scratch, 0, n);
        Arrays.sort(scratch, 0, n);
        // An upper quantile: a chunk planned on it overshoots the step's time only when the
        // step runs slower than most recent ones did, not whenever it runs slower than average.
        return scratch[(3 * (n - 1) + 2) / 4];
    }

    /** Whether a step of {@code nanos} took over five decode-only steps (worth a debug line). */
    boolean isSlow(long nanos) {
        double d = decodeNanos();
        return d > 0 && nanos > 5 * d;
    }

    /**
     * The median of the recent decode-only steps that decoded {@code decoding} sequences (or of all
     * recent ones when fewer than {@link #SAME_BATCH} did; 0 before any), or the slower of the two
     * newest when that is less: two fast steps in a row lower the estimate at once (the machine
     * got quieter), one slow step never raises it.
     */
    private double decodeNanos(int decoding) {
        double median = decodeMedian(decoding);
        int n = Math.min(decodeSeen, DECODE_WINDOW);
        if (n >= 2) {
            int a = (decodeSeen - 1) % DECODE_WINDOW;
            int b = (decodeSeen - 2) % DECODE_WINDOW;
            if (decodeRows[a] == decoding && decodeRows[b] == decoding) {
                return Math.min(median, Math.max(decodeTimes[a], decodeTimes[b]));
            }
        }
        return median;
    }

    private double decodeMedian(int decoding) {
        int n = Math.min(decodeSeen, DECODE_WINDOW);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (decodeRows[i] == decoding) {
                scratch[m++] = decodeTimes[i];
            }
        }
        if (m < SAME_BATCH) {
            m = n;
            for (int i = 0; i < n; i++) {
                scratch[i] = decodeTimes[i];
            }
        }
        return median(scratch, m);
    }

    private static double median(double[] a, int n) {
        if (n == 0) {
            return 0;
        }
        Arrays.sort(a, 0, n);
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    /** The prompt tokens of the next step, given the sequences decoding in it and one prompt waiting. */
    int prefillBudget(int decoding) {
        return prefillBudget(decoding, 1);
    }

    /**
     * The prompt tokens of the next step, given the sequences decoding in it and the prompts
     * waiting to be prefilled ({@code prompts}, at least 1). Each waiting prompt gets the time of
     * {@code slowdown − 1} decode steps: one long prompt among running streams makes their steps at
     * most {@code slowdown} times longer, and a burst of short prompts (completion traffic, where
     * every request is a prompt and a few tokens) is not held to one prompt's share; the token
     * budget caps the step either way.
     */
    int prefillBudget(int decoding, int prompts) {
        int cap = Math.max(1, stepTokens - decoding);
        if (slowdown == 0 || decoding == 0) {
            return cap;
        }
        if (mixedRun >= REFRESH) {
            return 0; // a decode-only step: see REFRESH
        }
        double decode = decodeNanos(decoding);
        double perToken = prefillNanosPerToken();
        if (decode == 0 || perToken == 0) {
            return Math.min(cap, FIRST_CHUNK);
        }
        double target = (slowdown - 1) * decode * Math.max(1, prompts);
        double tokens = target / perToken;
        if (lastMixedPrefill > 0) {
            // The last mixed step's chunk, scaled by how its prompt share of the step compared
            // with the target: at most GROWTH times larger, and smaller at once after a step that
            // ran over (whatever the per-token estimate says; a stale decode time skews that).
            double share = Math.max(1, lastMixedNanos - decode);
            double scale = Math.min(GROWTH, target / share);
            double limit =
                    scale >= GROWTH ? Math.max(FIRST_CHUNK, GROWTH * lastMixedPrefill) : scale * lastMixedPrefill;
            tokens = Math.min(tokens, limit);
        }
        return (int) Math.max(Math.min(cap, MIN_CHUNK), Math.min(cap, tokens));
    }

    /** Records a step of {@code nanos} that decoded and prefilled so many tokens. */
    void measure(long nanos, int decoding, int prefill) {
        if (prefill == 0) {
            int slot = decodeSeen++ % DECODE_WINDOW;
            decodeTimes[slot] = nanos;
            decodeRows[slot] = decoding;
            lastDecoding = decoding;
            mixedRun = 0;
            if (decodeSeen == 2 * DECODE_WINDOW) {
                decodeSeen = DECODE_WINDOW; // keeps the ring's position, never overflows
            }
            return;
        }
        double decode = decoding > 0 ? decodeNanos(decoding) : 0;
        if (decode > 0) {
            tokenCosts[tokenSeen++ % PREFILL_WINDOW] = Math.max(0, nanos - decode) / prefill;
            if (tokenSeen == 2 * PREFILL_WINDOW) {
                tokenSeen = PREFILL_WINDOW;
            }
            lastMixedPrefill = prefill;
            lastMixedNanos = nanos;
            mixedRun++;
        } else if (tokenSeen == 0 && firstGuess == 0) {
            firstGuess = (double) nanos / prefill; // a first guess from a prefill-only step
        }
    }
}
