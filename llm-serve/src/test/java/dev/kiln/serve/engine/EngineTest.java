package dev.kiln.serve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.serve.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineTest {

    static final NgramLanguageModel NGRAM = NgramLanguageModel.train(
            ByteTokenizer.withCodeSpecials(),
            List.of(
                    "public final class Engine implements AutoCloseable {\n    private final int size;\n}\n",
                    "public static void main(String[] args) {\n    System.out.println(args.length);\n}\n",
                    "for (int i = 0; i < n; i++) {\n    sum += values[i];\n}\n"),
            4,
            4096);

    /** Each step takes at least {@code nanos}, whatever the batch size (an accelerator's profile). */
    static LanguageModel paced(long nanos) {
        return TestModels.paced(NGRAM, nanos);
    }

    static final class Recorder implements SequenceListener {
        final AtomicInteger tokens = new AtomicInteger();
        final StringBuilder text = new StringBuilder();
        final CompletableFuture<FinishReason> done = new CompletableFuture<>();
        volatile long firstTokenNanos;

        @Override
        public void onToken(int tokenId, String t, double logprob) {
            if (tokens.getAndIncrement() == 0) {
                firstTokenNanos = System.nanoTime();
            }
            synchronized (text) {
                text.append(t);
            }
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

    static SequenceRequest request(String prompt, int maxTokens) {
        return new SequenceRequest(
                NGRAM.tokenizer().encode(prompt), new SamplingParams(0.7, 1, 0, 5), maxTokens, List.of(), false);
    }

    static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(2);
        }
    }

    @Test
    void sequencesJoinARunningBatchBetweenSteps() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(2_000_000)))
                .optMaxBatchSize(4)
                .build()) {
            Recorder a = new Recorder();
            e.submit(request("public ", 200), a);
            await(() -> a.tokens.get() >= 10);
            Recorder b = new Recorder();
            e.submit(request("for (", 20), b);
            assertThat(b.done.get(10, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            // b joined and left while a kept running: no waiting for a's batch to finish.
            assertThat(a.done).isNotDone();
            assertThat(b.tokens.get()).isEqualTo(20);
            assertThat(e.metrics().batchSize().sum())
                    .isGreaterThan(e.metrics().batchSize().count());
            assertThat(a.done.get(10, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            assertThat(a.tokens.get()).isEqualTo(200);
        }
    }

    @Test
    void cancellationFreesTheSlotForTheNextSequence() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(2_000_000)))
                .optMaxBatchSize(1)
                .build()) {
            Recorder a = new Recorder();
            SequenceHandle ha = e.submit(request("public ", 2000), a);
            await(() -> a.tokens.get() >= 3);
            Recorder b = new Recorder();
            e.submit(request("for (", 5), b);
            Thread.sleep(20);
            assertThat(b.tokens.get()).as("batch of 1 is taken by a").isZero();
            ha.cancel();
            assertThat(a.done.get(5, TimeUnit.SECONDS)).isEqualTo(FinishReason.CANCELLED);
            assertThat(b.done.get(5, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            assertThat(e.metrics().cancelledCount()).isEqualTo(1);
            assertThat(ha.isDone()).isTrue();
        }
    }

    @Test
    void newSequencesGoToTheLeastLoadedInstance() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(1_000_000), paced(1_000_000), paced(1_000_000)))
                .build()) {
            SequenceHandle h0 = e.submit(request("public ", 300), new Recorder());
            SequenceHandle h1 = e.submit(request("public ", 300), new Recorder());
            SequenceHandle h2 = e.submit(request("public ", 300), new Recorder());
            assertThat(List.of(h0.instance(), h1.instance(), h2.instance())).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(e.loads()).containsExactly(1, 1, 1);
        }
    }

    @Test
    void aFullQueueIsRejected() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(2_000_000)))
                .optMaxBatchSize(1)
                .optMaxQueueSize(1)
                .build()) {
            Recorder a = new Recorder();
            e.submit(request("public ", 1000), a);
            await(() -> a.tokens.get() >= 1);
            e.submit(request("for (", 5), new Recorder());
            assertThatThrownBy(() -> e.submit(request("x", 5), new Recorder()))
                    .isInstanceOfSatisfying(
                            EngineException.class,
                            x -> assertThat(x.kind()).isEqualTo(EngineException.Kind.QUEUE_FULL));
            assertThat(e.metrics().rejectedCount()).isEqualTo(1);
        }
    }

    @Test
    void shutdownDrainsWithinTheDeadlineThenCancels() throws Exception {
        Engine e = Engine.builder().setModels(List.of(paced(1_000_000))).build();
        Recorder shortOne = new Recorder();
        e.submit(request("public ", 10), shortOne);
        assertThat(e.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(shortOne.done.get(1, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
        assertThatThrownBy(() -> e.submit(request("x", 5), new Recorder()))
                .isInstanceOfSatisfying(
                        EngineException.class, x -> assertThat(x.kind()).isEqualTo(EngineException.Kind.SHUTDOWN));

        Engine e2 = Engine.builder().setModels(List.of(paced(2_000_000))).build();
        Recorder longOne = new Recorder();
        e2.submit(request("public ", 3000), longOne);
        long t0 = System.nanoTime();
        assertThat(e2.shutdown(Duration.ofMillis(100))).isFalse();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
        assertThatThrownBy(() -> longOne.done.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(EngineException.class);
    }

    @Test
    void maxQueueDelayLetsAnIdleInstanceWaitForCompany() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(1_000_000)))
                .optMaxBatchSize(4)
                .optMaxQueueDelay(Duration.ofMillis(300))
                .build()) {
            Recorder a = new Recorder();
            long t0 = System.nanoTime();
            e.submit(request("public ", 5), a);
            Thread.sleep(50);
            Recorder b = new Recorder();
            long bSubmitted = System.nanoTime();
            e.submit(request("for (", 5), b);
            assertThat(a.done.get(10, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            assertThat(b.done.get(10, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
            // a waited for b and both started in the same step.
            assertThat(a.firstTokenNanos).isGreaterThan(bSubmitted);
            assertThat(a.firstTokenNanos - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(290));
            // The step's metrics are recorded after its tokens are delivered: wait for the last one.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (e.metrics().batchSize().count() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(e.metrics().batchSize().count()).isEqualTo(5);
        }
    }

    @Test
    void requestTimeoutFailsSlowSequences() throws Exception {
        try (Engine e = Engine.builder()
                .setModels(List.of(paced(2_000_000)))
                .optRequestTimeout(Duration.ofMillis(50))
                .build()) {
            Recorder r = new Recorder();
            e.submit(request("public ", 3000), r);
            assertThatThrownBy(() -> r.done.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(EngineException.class)
                    .hasMessageContaining("timeout");
        }
    }
}
