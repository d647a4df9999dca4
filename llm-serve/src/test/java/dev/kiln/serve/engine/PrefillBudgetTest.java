package dev.kiln.serve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.serve.metrics.ServeMetrics;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's time budget for prompt tokens, driven by simulated step times: a step costs a
 * decode part plus a fixed and a per-token prefill part, as on a CPU.
 */
class PrefillBudgetTest {

    static final long DECODE = 10_000_000; // 8 sequences decoding: 10 ms
    static final long FIXED = 2_000_000; // a prompt chunk's pass: 2 ms plus
    static final long PER_TOKEN = 400_000; // 0.4 ms per prompt token

    static Scheduler scheduler(int chunk, double slowdown) {
        Engine.Builder cfg = Engine.builder().optPrefillChunk(chunk).optPrefillSlowdown(slowdown);
        return new Scheduler(0, EngineTest.paced(0), null, new ServeMetrics(), cfg);
    }

    /** Decode-only steps and prefilling steps alternate; the worst step over the last rounds. */
    static long converge(Scheduler s, long perToken) {
        long worst = 0;
        for (int round = 0; round < 40; round++) {
            s.budget.measure(DECODE, 8, 0);
            int tokens = s.budget.prefillBudget(8);
            long step = DECODE + FIXED + perToken * tokens;
            s.budget.measure(step, 8, tokens);
            if (round >= 20) {
                worst = Math.max(worst, step);
            }
        }
        return worst;
    }

    @Test
    void promptTokensFitInTheTimeOfOneMoreDecodeStep() {
        Scheduler s = scheduler(512, 2.0);
        assertThat(s.budget.prefillBudget(8))
                .as("nothing measured yet: a small first chunk")
                .isEqualTo(16);
        long worst = converge(s, PER_TOKEN);
        assertThat((double) worst / DECODE).isBetween(1.8, 2.05);
        // The fixed cost of a pass is paid by the chunk: (10 - 2) ms / 0.4 ms = 20 tokens.
        assertThat(s.budget.prefillBudget(8)).isBetween(18, 20);
    }

    /**
     * Each waiting prompt gets one prompt's share: four short prompts at once (completion
     * traffic) are not held to the share of one, and the token budget still caps the step.
     */
    @Test
    void everyWaitingPromptGetsAShare() {
        Scheduler s = scheduler(512, 2.0);
        converge(s, PER_TOKEN);
        int one = s.budget.prefillBudget(8, 1);
        assertThat(s.budget.prefillBudget(8)).isEqualTo(one);
        long worst = 0;
        int tokens = 0;
        for (int round = 0; round < 40; round++) {
            s.budget.measure(DECODE, 8, 0);
            tokens = s.budget.prefillBudget(8, 4);
            long step = DECODE + FIXED + PER_TOKEN * tokens;
            s.budget.measure(step, 8, tokens);
            if (round >= 20) {
                worst = Math.max(worst, step);
            }
        }
        // (4 · 10 - 2) ms / 0.4 ms = 95 tokens: each prompt one more decode step's time.
        assertThat(tokens).isBetween(88, 95);
        assertThat((double) worst / DECODE).isBetween(4.6, 5.05);
        assertThat(s.budget.prefillBudget(8, 100))
                .as("a step's chunk grows by half at most")
                .isLessThanOrEqualTo(tokens * 3 / 2);
        for (int round = 0; round < 10; round++) {
            tokens = s.budget.prefillBudget(8, 100);
            s.budget.measure(DECODE + FIXED + PER_TOKEN * tokens, 8, tokens);
        }
        assertThat(tokens).as("the token budget caps it").isEqualTo(504);
    }

    @Test
    void theBudgetFollowsAChangeInPromptCost() {
        Scheduler s = scheduler(512, 2.0);
        converge(s, PER_TOKEN);
        assertThat(s.budget.prefillBudget(8)).isBetween(18, 20);
        long worst = converge(s, PER_TOKEN * 2); // later chunks attend over a longer prompt
        assertThat(s.budget.prefillBudget(8)).isBetween(9, 10); // (10 - 2) ms / 0.8 ms
        assertThat((double) worst / DECODE).isLessThan(2.05);
    }

    @Test
    void theTokenBudgetStillCapsAndRulesWhenNothingDecodes() {
        Scheduler s = scheduler(40, 3.0);
        converge(s, 10_000); // cheap prompt tokens: the time budget would allow ~1,600
        assertThat(s.budget.prefillBudget(8)).isEqualTo(32); // 40 minus the 8 decodes
        assertThat(s.budget.prefillBudget(0)).isEqualTo(40);
        Scheduler off = scheduler(512, 0);
        converge(off, PER_TOKEN);
        assertThat(off.budget.prefillBudget(8)).isEqualTo(504);
    }

    @Test
    void slowStepsStillPrefillAFewTokens() {
        Scheduler s = scheduler(512, 2.0);
        for (int i = 0; i < 20; i++) {
            s.budget.measure(DECODE, 8, 0);
            s.budget.measure(DECODE + 50_000_000, 8, Math.max(1, s.budget.prefillBudget(8)));
        }
        assertThat(s.budget.prefillBudget(8)).isEqualTo(8);
    }

    @Test
    void aMixedStepMeasuredAsFreeDoesNotHandTheNextStepTheWholeBudget() {
        Scheduler s = scheduler(512, 2.0);
        converge(s, PER_TOKEN);
        int steady = s.budget.prefillBudget(8);
        // Noise: decode steps ran slow, then three mixed steps as fast as the decode average
        // (a prompt token measured as free).
        for (int i = 0; i < 3; i++) {
            s.budget.measure(DECODE * 2, 8, 0);
        }
        for (int i = 0; i < 3; i++) {
            s.budget.measure(DECODE, 8, steady);
        }
        int next = s.budget.prefillBudget(8);
        assertThat(next).as("grows by half at most").isLessThanOrEqualTo(steady * 3 / 2);
        long step = DECODE + FIXED + PER_TOKEN * next;
        assertThat((double) step / DECODE).isLessThan(2.5);
    }

    @Test
    void oneSlowDecodeStepBeforeAPromptDoesNotSizeItsChunks() {
        // Seen in the long-prompt scenario: the decode-only step just before a long prompt's first
        // chunk ran 2x (the request being parsed on the other core). During the prefill no
        // decode-only step runs, so a moving average kept that step for every chunk and planned
        // mixed steps of ~3x a decode step.
        Scheduler s = scheduler(512, 2.0);
        for (int i = 0; i < 40; i++) {
            s.budget.measure(DECODE, 8, 0);
        }
        s.budget.measure(DECODE * 5 / 2, 8, 0);
        long worst = 0;
        for (int i = 0; i < 60; i++) {
            worst = Math.max(worst, prefillStep(s, DECODE));
        }
        assertThat((double) worst / DECODE).isLessThan(2.05);
    }

    /** One step of a long prefill beside 8 decoding sequences whose decode part costs {@code decode}. */
    static long prefillStep(Scheduler s, long decode) {
        int tokens = s.budget.prefillBudget(8);
        long step = tokens == 0 ? decode : decode + FIXED + PER_TOKEN * tokens;
        s.budget.measure(step, 8, tokens);
        return step;
    }

    @Test
    void aLongPrefillStillMeasuresDecodingAndFollowsItDown() {
        // The machine was busy while the streams decoded (decode steps at 2x), then got quiet as a
        // long prompt arrived. No step of the prefill decodes only, so without the refresh steps
        // the budget would plan every chunk on the busy decode time: steps of 3x.
        Scheduler s = scheduler(512, 2.0);
        for (int i = 0; i < 40; i++) {
            s.budget.measure(2 * DECODE, 8, 0);
        }
        int refreshes = 0;
        long worstLate = 0;
        long lastMixed = 0;
        for (int i = 0; i < 80; i++) {
            long step = prefillStep(s, DECODE);
            if (step == DECODE) {
                refreshes++;
            } else {
                lastMixed = step;
            }
            if (i >= 30) {
                worstLate = Math.max(worstLate, step);
            }
        }
        assertThat(refreshes)
                .as("a decode-only step after every " + StepBudget.REFRESH + " mixed ones")
                .isBetween(80 / (StepBudget.REFRESH + 1) - 1, 80 / (StepBudget.REFRESH + 1) + 1);
        assertThat((double) worstLate / DECODE).isLessThan(2.05);
        assertThat((double) lastMixed / DECODE).as("chunks not starved either").isGreaterThan(1.8);
    }

    @Test
    void aMixedStepThatRanOverShrinksTheNextChunkAtOnce() {
        Scheduler s = scheduler(512, 2.0);
        converge(s, PER_TOKEN);
        int steady = s.budget.prefillBudget(8);
        s.budget.measure(DECODE, 8, 0);
        s.budget.measure(DECODE + 3 * (FIXED + PER_TOKEN * steady), 8, steady); // its prompt share took 3x
        assertThat(s.budget.prefillBudget(8)).isLessThanOrEqualTo(steady / 2);
    }
}
