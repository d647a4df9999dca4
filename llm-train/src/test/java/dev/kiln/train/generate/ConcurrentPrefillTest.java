package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link GptLanguageModel#prefill} on one thread while another steps other sessions (the serving
 * engine's prefill lane): the same greedy tokens as steps alone, the prompt's last token left to
 * the step, the memory of a session closed mid-chunk freed when the chunk ends.
 */
class ConcurrentPrefillTest {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();

    static GptConfig config(int dModel, int layers) {
        return GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(512)
                .optDModel(dModel)
                .optHeads(4)
                .optKvHeads(2)
                .optLayers(layers)
                .build();
    }

    static GptLanguageModel lm(GptModel model, Map<String, String> options) {
        return GptLanguageModel.builder()
                .setModel(model)
                .setTokenizer(TOK)
                .optPrefixCache(false)
                .optKvCacheTokens(8192)
                .optBlockSize(8)
                .optOptions(options)
                .build();
    }

    static int[] longPrompt(int tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < tokens; i++) {
            sb.append("int v").append(i).append(" = ").append(i % 89).append(";\n");
        }
        return TOK.encode(sb.substring(0, tokens));
    }

    static int[][] shortPrompts(int n) {
        int[][] p = new int[n][];
        for (int i = 0; i < n; i++) {
            p[i] = TOK.encode("int x" + i + " = ");
        }
        return p;
    }

    /**
     * The short prompts decode {@code steps} tokens each on this thread while a second thread
     * prefills {@code prompt} in {@code chunk}-token calls; then steps finish the prompt. Returns the
     * short sessions' tokens, then the prompt's; {@code overlapped} counts the steps that started
     * while the prefill was running.
     */
    static List<List<Integer>> withLane(
            GptLanguageModel lm, int[][] shorts, int[] prompt, int chunk, int steps, AtomicInteger overlapped)
            throws Exception {
        List<DecodeSession> running = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        for (int[] p : shorts) {
            running.add(lm.open(p, SamplingParams.GREEDY, steps));
            out.add(new ArrayList<>());
        }
        DecodeSession longOne = lm.open(prompt, SamplingParams.GREEDY, steps);
        CountDownLatch firstChunk = new CountDownLatch(1);
        CompletableFuture<Integer> lane = CompletableFuture.supplyAsync(
                () -> {
                    int total = 0;
                    int n;
                    while ((n = lm.prefill(longOne, chunk)) > 0) {
                        total += n;
                        firstChunk.countDown();
                    }
                    firstChunk.countDown();
                    return total;
                },
                r -> lm.prefillThreads().newThread(r).start());
        assertThat(firstChunk.await(60, TimeUnit.SECONDS)).isTrue();
        for (int k = 0; k < steps; k++) {
            if (!lane.isDone()) {
                overlapped.incrementAndGet(); // this step starts while the prefill runs
            }
            int[] next = lm.step(running);
            for (int i = 0; i < next.length; i++) {
                out.get(i).add(next[i]);
            }
        }
        assertThat(lane.get(60, TimeUnit.SECONDS)).isEqualTo(prompt.length - 1);
        assertThat(longOne.prefilledTokens()).isEqualTo(prompt.length - 1);
        assertThat(lm.prefill(longOne, chunk)).as("only the last token is left").isZero();
        List<Integer> mine = new ArrayList<>();
        while (mine.size() < steps) {
            mine.add(lm.step(List.of(longOne))[0]);
        }
        out.add(mine);
        running.forEach(DecodeSession::close);
        longOne.close();
        return out;
    }

    static List<List<Integer>> stepsAlone(GptLanguageModel lm, int[][] shorts, int[] prompt, int steps) {
        int[][] all = Arrays.copyOf(shorts, shorts.length + 1);
        all[shorts.length] = prompt;
        return GptLanguageModelTest.decodeAll(lm, all, Integer.MAX_VALUE, steps);
    }

    @Test
    void aPromptPrefilledBesideTheStepsGivesTheSameGreedyTokens() throws Exception {
        try (GptModel model = GptModel.create(config(64, 2), 11, Device.cpu());
                GptLanguageModel lm = lm(model, Map.of())) {
            assertThat(lm.supportsConcurrentPrefill()).isTrue();
            int[][] shorts = shortPrompts(6);
            int[] prompt = longPrompt(420);
            List<List<Integer>> expected = stepsAlone(lm, shorts, prompt, 24);
            AtomicInteger overlapped = new AtomicInteger();
            for (int round = 0; round < 3; round++) {
                assertThat(withLane(lm, shorts, prompt, 8, 24, overlapped)).isEqualTo(expected);
            }
            assertThat(overlapped.get()).as("steps taken while a prefill ran").isPositive();
            KvCacheStats kv = lm.kvCache().orElseThrow();
            assertThat(kv.usedBlocks()).isZero();
        }
    }

    /**
     * With a helper thread sharing the step's packed products: the helpers pause while a prefill
     * runs (their core is the prefill's) and share the steps' products again afterwards; tokens
     * unchanged.
     */
    @Test
    void helperThreadsPauseWhileAPrefillRuns() throws Exception {
        try (GptModel model = GptModel.create(config(512, 1), 7, Device.cpu());
                GptLanguageModel alone = lm(model, Map.of());
                GptLanguageModel helped = lm(model, Map.of("helper_threads", "1"))) {
            int[][] shorts = shortPrompts(16);
            int[] prompt = longPrompt(480);
            List<List<Integer>> expected = stepsAlone(alone, shorts, prompt, 12);
            AtomicInteger overlapped = new AtomicInteger();
            // 60 calls of 8 tokens: the steps start while the prefill still has most of them to do.
            assertThat(withLane(helped, shorts, prompt, 8, 12, overlapped)).isEqualTo(expected);
            assertThat(overlapped.get()).isPositive();
            // Resumed: a batched step after the prefill gives the same tokens as the helpers always did.
            assertThat(GptLanguageModelTest.decodeAll(helped, shorts, 64, 8))
                    .isEqualTo(GptLanguageModelTest.decodeAll(alone, shorts, 64, 8));
        }
    }

    @Test
    void aSessionClosedDuringItsPrefillIsFreedWhenTheChunkEnds() throws Exception {
        try (GptModel model = GptModel.create(config(64, 2), 3, Device.cpu());
                GptLanguageModel lm = lm(model, Map.of())) {
            KvCacheStats kv = lm.kvCache().orElseThrow();
            for (int round = 0; round < 5; round++) {
                DecodeSession s = lm.open(longPrompt(480), SamplingParams.GREEDY, 8);
                CompletableFuture<Integer> lane = CompletableFuture.supplyAsync(() -> lm.prefill(s, 480));
                if (round % 2 == 0) {
                    Thread.sleep(round); // close before, during or after the chunk
                }
                s.close();
                int done = lane.get(60, TimeUnit.SECONDS);
                assertThat(done).isIn(0, 479);
                assertThat(kv.usedBlocks()).as("round %d", round).isZero();
                assertThat(lm.prefill(s, 8)).isZero();
                assertThatThrownBy(() -> lm.step(List.of(s)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("session 0 is closed");
            }
        }
    }

    @Test
    void badCallsAreRejectedWithOneLine() {
        try (GptModel model = GptModel.create(config(64, 1), 5, Device.cpu());
                GptLanguageModel lm = lm(model, Map.of());
                GptLanguageModel other = lm(model, Map.of())) {
            DecodeSession s = lm.open(longPrompt(40), SamplingParams.GREEDY, 4);
            assertThatThrownBy(() -> lm.prefill(s, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("prefill needs at least 1 token, got 0");
            assertThatThrownBy(() -> other.prefill(s, 8))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the session was not opened by model 'gpt'");
            assertThat(lm.prefill(s, 8)).isEqualTo(8);
            assertThat(lm.prefill(s, 1000)).isEqualTo(31);
            assertThat(s.prefilledTokens()).isEqualTo(39);
            assertThat(lm.step(List.of(s), new int[] {1})[0]).isNotNegative();
            s.close();
            lm.close();
            assertThatThrownBy(() -> lm.prefill(s, 8))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("model 'gpt' is closed");
        }
    }
}
