package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.engine.EngineException;
import dev.kiln.serve.engine.SequenceListener;
import dev.kiln.serve.engine.SequenceRequest;
import dev.kiln.train.GptModel;
import dev.kiln.train.generate.GptLanguageModel;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real transformer (a tiny Llama-style {@link GptModel}) with its paged KV cache:
 * blocks freed when a client leaves mid-prefill or mid-decode, admission by KV budget, chunked
 * prefill and prefix reuse giving the same greedy tokens.
 */
class RealModelServingTest {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();
    static GptModel gpt;

    @BeforeAll
    static void model() {
        gpt = TestModels.tinyGpt(512, 32, 4, 2, 2, 17);
    }

    @AfterAll
    static void close() {
        gpt.close();
    }

    static GptLanguageModel lm(int kvTokens, boolean prefix) {
        return GptLanguageModel.builder()
                .setModel(gpt)
                .setTokenizer(TOK)
                .optId("tiny-llama")
                .optKvCacheTokens(kvTokens)
                .optPrefixCache(prefix)
                .build();
    }

    static void poll(BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 20 s").isLessThan(end);
            Thread.sleep(5);
        }
    }

    static String longPrompt(int chars) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) {
            sb.append("int v")
                    .append(sb.length())
                    .append(" = ")
                    .append(sb.length() % 97)
                    .append(";\\n");
        }
        return sb.substring(0, chars);
    }

    @Test
    void clientsLeavingMidPrefillOrMidDecodeFreeTheirKvBlocksAtOnce() throws Exception {
        try (GptLanguageModel model = lm(4096, false);
                Server server = Server.builder()
                        .setModel(TestModels.paced(model, 5_000_000))
                        .optPort(0)
                        .optPrefillChunk(16)
                        .build()
                        .start()) {
            server.awaitReady(java.time.Duration.ofSeconds(30));
            URI base = server.url();
            long idle = server.metrics().kvBlocks()[0];
            assertThat(idle).isZero();
            assertThat(Http.get(base, "/metrics").body()).contains("kiln_kv_cache_blocks{state=\"used\"} 0");

            // Mid-decode: a stream that has produced tokens.
            Socket stream = CancellationTest.openStream(base, 3, 400);
            assertThat(server.metrics().kvBlocks()[0]).isPositive();
            stream.close();
            poll(() -> server.metrics().kvBlocks()[0] == idle);

            // Mid-prefill: a 480-token prompt takes 30 chunks of 16 tokens (>= 150 ms); leave after the first.
            long generated = server.metrics().generatedTokens();
            String body = "{\"prompt\":\"" + longPrompt(480) + "\",\"max_tokens\":8}";
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.getOutputStream().write(CancellationTest.completionRequest(base, body));
                s.getOutputStream().flush();
                poll(() -> server.metrics().kvBlocks()[0] > 0);
                assertThat(server.metrics().generatedTokens())
                        .as("still prefilling")
                        .isEqualTo(generated);
            }
            poll(() -> server.metrics().kvBlocks()[0] == idle);
            assertThat(Http.get(base, "/metrics").body()).containsPattern("kiln_prefill_chunks_total [1-9]");
        }
    }

    /**
     * The prefill lane: a long prompt that arrives while streams decode is computed beside their
     * steps (all but its last token: the lane's metric counts them) and every sequence gets the
     * greedy tokens it gets without the lane.
     */
    @Test
    void aLongPromptPrefilledOnTheLaneGivesTheSameTokens() throws Exception {
        List<List<Integer>> off = lanePair(false);
        List<List<Integer>> on = lanePair(true);
        assertThat(on).isEqualTo(off);
    }

    /** Three streams, then a 480-token prompt once they decode; the tokens of all four. */
    private static List<List<Integer>> lanePair(boolean lane) throws Exception {
        try (GptLanguageModel m = lm(4096, false);
                Engine e = Engine.builder()
                        .setModels(List.of(TestModels.paced(m, 2_000_000)))
                        .optPrefillChunk(32)
                        .optPrefillLane(lane)
                        .build()) {
            List<Collect> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collect c = new Collect();
                e.submit(
                        new SequenceRequest(
                                TOK.encode("int x" + i + " = "), SamplingParams.GREEDY, 60, List.of(), false),
                        c);
                all.add(c);
            }
            poll(() -> all.stream().allMatch(c -> c.count() >= 2));
            Collect longOne = new Collect();
            int[] prompt = TOK.encode(longPrompt(480));
            e.submit(new SequenceRequest(prompt, SamplingParams.GREEDY, 8, List.of(), false), longOne);
            all.add(longOne);
            for (Collect c : all) {
                assertThat(c.done.get(60, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            }
            assertThat(e.metrics().prefillLaneTokens()).isEqualTo(lane ? prompt.length - 1 : 0);
            assertThat(m.kvCache().orElseThrow().usedBlocks()).isZero();
            return all.stream().map(c -> List.copyOf(c.ids)).toList();
        }
    }

    /**
     * A prefill that fails on the lane, even with an {@link Error}, fails that request (not the
     * scheduler, not the running streams) and frees its blocks; the lane serves the next prompt.
     */
    @Test
    void aPrefillFailingOnTheLaneFailsOnlyItsRequest() throws Exception {
        try (GptLanguageModel m = lm(4096, false)) {
            java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
            LanguageModel faulty = new HookedPrefill(m, () -> {
                if (fail.get()) {
                    throw new AssertionError("injected");
                }
            });
            try (Engine e = Engine.builder()
                    .setModels(List.of(faulty))
                    .optPrefillChunk(32)
                    .optPrefillLane(true)
                    .build()) {
                Collect stream = new Collect();
                e.submit(
                        new SequenceRequest(TOK.encode("int x = "), SamplingParams.GREEDY, 200, List.of(), false),
                        stream);
                poll(() -> stream.count() >= 2);
                int[] prompt = TOK.encode(longPrompt(300));
                Collect broken = new Collect();
                e.submit(new SequenceRequest(prompt, SamplingParams.GREEDY, 4, List.of(), false), broken);
                assertThat(broken.done)
                        .failsWithin(30, TimeUnit.SECONDS)
                        .withThrowableThat()
                        .withMessageContaining("the model failed while prefilling: injected");
                fail.set(false);
                Collect next = new Collect();
                e.submit(new SequenceRequest(prompt, SamplingParams.GREEDY, 4, List.of(), false), next);
                assertThat(next.done.get(30, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
                assertThat(stream.done.get(30, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
                assertThat(e.metrics().prefillLaneTokens()).isEqualTo(prompt.length - 1);
            }
            assertThat(m.kvCache().orElseThrow().usedBlocks()).isZero();
        }
    }

    /** A model whose {@link #prefill} runs {@code before} first on every call (to fail or to wait). */
    private static final class HookedPrefill implements LanguageModel {
        private final LanguageModel inner;
        private final Runnable before;

        HookedPrefill(LanguageModel inner, Runnable before) {
            this.inner = inner;
            this.before = before;
        }

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public dev.kiln.core.tokenizer.Tokenizer tokenizer() {
            return inner.tokenizer();
        }

        @Override
        public int contextLength() {
            return inner.contextLength();
        }

        @Override
        public dev.kiln.core.model.DecodeSession open(int[] ids, SamplingParams sampling) {
            return inner.open(ids, sampling);
        }

        @Override
        public dev.kiln.core.model.DecodeSession open(int[] ids, SamplingParams sampling, int maxNewTokens) {
            return inner.open(ids, sampling, maxNewTokens);
        }

        @Override
        public int[] step(List<? extends dev.kiln.core.model.DecodeSession> sessions) {
            return inner.step(sessions);
        }

        @Override
        public int[] step(List<? extends dev.kiln.core.model.DecodeSession> sessions, int[] limits) {
            return inner.step(sessions, limits);
        }

        @Override
        public boolean supportsChunkedPrefill() {
            return true;
        }

        @Override
        public boolean supportsConcurrentPrefill() {
            return true;
        }

        @Override
        public int prefill(dev.kiln.core.model.DecodeSession session, int maxTokens) {
            before.run();
            return inner.prefill(session, maxTokens);
        }

        @Override
        public java.util.concurrent.ThreadFactory prefillThreads() {
            return inner.prefillThreads();
        }

        @Override
        public java.util.Optional<KvCacheStats> kvCache() {
            return inner.kvCache();
        }

        @Override
        public void close() {}
    }

    /**
     * A client that leaves while its prompt is on the lane frees its blocks: the lane is held inside
     * its first prefill call until the server has seen the client go (its request ended), so the
     * prompt is provably on the lane when the client leaves; the lane stops after that call, its
     * blocks come back, and the lane then serves the next prompt whole.
     */
    @Test
    void aClientLeavingWhileItsPromptIsOnTheLaneFreesItsBlocks() throws Exception {
        java.util.concurrent.CountDownLatch onLane = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (GptLanguageModel model = lm(4096, false);
                Server server = Server.builder()
                        .setModel(new HookedPrefill(TestModels.paced(model, 10_000_000), () -> {
                            if (calls.getAndIncrement() == 0) {
                                onLane.countDown();
                                try {
                                    release.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }))
                        .optPort(0)
                        .optPrefillChunk(16)
                        .optPrefillLane(true)
                        .build()
                        .start()) {
            try {
                leaveWhileOnTheLane(server, onLane, release, calls);
            } finally {
                release.countDown(); // never leave the lane waiting: closing the model waits for it
            }
        }
    }

    private static void leaveWhileOnTheLane(
            Server server,
            java.util.concurrent.CountDownLatch onLane,
            java.util.concurrent.CountDownLatch release,
            java.util.concurrent.atomic.AtomicInteger calls)
            throws Exception {
        server.awaitReady(java.time.Duration.ofSeconds(30));
        URI base = server.url();
        long idle = server.metrics().kvBlocks()[0];
        // A stream that decodes while the prompt arrives, so that the lane engages, and outlasts the
        // wait below (500 tokens of >= 10 ms; the server sees a closed connection within 1-2 s).
        Socket stream = CancellationTest.openStream(base, 3, 500);
        String body = "{\"prompt\":\"" + longPrompt(480) + "\",\"max_tokens\":8,\"stream\":true}";
        long ended = server.metrics().requests("/v1/completions", 200);
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.getOutputStream().write(CancellationTest.completionRequest(base, body));
            s.getOutputStream().flush();
            assertThat(onLane.await(30, TimeUnit.SECONDS))
                    .as("the long prompt reached the lane")
                    .isTrue();
        }
        // The server notices the closed connection at its next write (a ping within a second)
        // and ends the request, which cancels its sequence; only then does the lane go on.
        poll(() -> server.metrics().requests("/v1/completions", 200) > ended);
        release.countDown();
        stream.close();
        poll(() -> server.metrics().kvBlocks()[0] == idle);
        // What the lane computed before it saw the cancel (it stops between chunks).
        long before = server.metrics().prefillLaneTokens();
        // The lane serves the next prompt: all of it but its last token.
        String plain = body.replace(",\"stream\":true", "");
        Http.Response answer;
        try (Socket again = CancellationTest.openStream(base, 3, 400)) {
            answer = Http.post(base, "/v1/completions", plain);
        }
        assertThat(answer.status()).isEqualTo(200);
        java.util.regex.Matcher used =
                java.util.regex.Pattern.compile("\"prompt_tokens\":(\\d+)").matcher(answer.body());
        assertThat(used.find()).isTrue();
        int promptTokens = Integer.parseInt(used.group(1));
        assertThat(before).isLessThan(promptTokens - 1);
        assertThat(server.metrics().prefillLaneTokens() - before).isEqualTo(promptTokens - 1);
        // Every lane call: one for the prompt whose client left (the lane saw the cancel after it
        // and stopped), then one per 16-token chunk of the next prompt and one that finds it done.
        assertThat(calls.get()).isEqualTo(1 + (promptTokens - 1 + 15) / 16 + 1);
        poll(() -> server.metrics().kvBlocks()[0] == idle);
    }

    /** Collects one sequence's tokens. */
    static final class Collect implements SequenceListener {
        final List<Integer> ids = new ArrayList<>();
        final CompletableFuture<FinishReason> done = new CompletableFuture<>();

        @Override
        public synchronized void onToken(int tokenId, String text, double logprob) {
            ids.add(tokenId);
        }

        synchronized int count() {
            return ids.size();
        }

        @Override
        public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
            done.complete(reason);
        }

        @Override
        public void onError(EngineException error) {
            done.completeExceptionally(error);
        }
    }

    /** Typing traffic: growing prefixes of one file, several at once; the greedy tokens of each. */
    static List<List<Integer>> typing(LanguageModel model, Engine engine) throws Exception {
        String file = longPrompt(300);
        List<Collect> all = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            List<Collect> wave = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                String prefix = file.substring(0, 120 + 40 * round + 7 * k);
                Collect c = new Collect();
                engine.submit(new SequenceRequest(TOK.encode(prefix), SamplingParams.GREEDY, 6, List.of(), false), c);
                wave.add(c);
            }
            for (Collect c : wave) {
                assertThat(c.done.get(60, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            }
            all.addAll(wave);
        }
        return all.stream().map(c -> c.ids).toList();
    }

    @Test
    void greedyTokensAreTheSameWithAndWithoutPrefixCacheAndChunking() throws Exception {
        List<List<Integer>> plain;
        try (GptLanguageModel m = lm(4096, false);
                Engine e = Engine.builder()
                        .setModels(List.of(m))
                        .optPrefillChunk(4096)
                        .build()) {
            plain = typing(m, e);
            assertThat(e.metrics().prefixHitTokens()).isZero();
        }
        try (GptLanguageModel m = lm(4096, true);
                Engine e = Engine.builder()
                        .setModels(List.of(m))
                        .optPrefillChunk(24)
                        .build()) {
            assertThat(typing(m, e)).isEqualTo(plain);
            // Round 2 reuses the file's first blocks.
            assertThat(e.metrics().prefixHitTokens()).isGreaterThanOrEqualTo(3L * 112);
            KvCacheStats kv = m.kvCache().orElseThrow();
            assertThat(kv.prefixHitTokens()).isEqualTo(e.metrics().prefixHitTokens());
            assertThat(kv.usedBlocks()).isZero();
        }
    }

    @Test
    void admissionFollowsTheKvBudget() throws Exception {
        // 256 positions: each request below needs 100 + 40 - 1, so only one runs at a time.
        try (GptLanguageModel m = lm(256, false);
                Engine e = Engine.builder().setModels(List.of(m)).build()) {
            Collect tooBig = new Collect();
            e.submit(
                    new SequenceRequest(TOK.encode(longPrompt(200)), SamplingParams.GREEDY, 100, List.of(), false),
                    tooBig);
            assertThat(tooBig.done)
                    .failsWithin(30, TimeUnit.SECONDS)
                    .withThrowableThat()
                    .withMessageContaining("KV cache holds 256");
            List<Collect> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Collect c = new Collect();
                e.submit(
                        new SequenceRequest(TOK.encode(longPrompt(100)), SamplingParams.GREEDY, 40, List.of(), false),
                        c);
                waiting.add(c);
            }
            int peak = 0;
            while (!waiting.stream().allMatch(c -> c.done.isDone())) {
                peak = Math.max(peak, (int) e.metrics().running());
                Thread.sleep(1);
            }
            for (Collect c : waiting) {
                assertThat(c.done.get()).isEqualTo(FinishReason.LENGTH);
                assertThat(c.ids).hasSize(40);
            }
            assertThat(peak).isEqualTo(1);
            assertThat(m.kvCache().orElseThrow().usedBlocks()).isZero();
        }
    }
}
