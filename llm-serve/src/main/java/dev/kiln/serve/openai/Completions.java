package dev.kiln.serve.openai;

import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.engine.EngineException;
import dev.kiln.serve.engine.SequenceHandle;
import dev.kiln.serve.engine.SequenceListener;
import dev.kiln.serve.engine.SequenceRequest;
import dev.kiln.serve.metrics.ServeMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one completion request against the engine: submits one sequence per choice, then either
 * streams Server-Sent Events as tokens arrive or collects one JSON response (written by {@link
 * CompletionWriter}). Events
 * from the scheduler thread arrive through an {@link EventMailbox}, so the scheduler never waits on
 * the network or on a lock, and wakes the request's thread only through the server's {@link
 * StreamWaker}.
 * A failed write (the client went away) cancels every sequence of the request.
 */
final class Completions {

    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Where the answer goes: the HTTP layer implements it over the servlet response. */
    interface Sink {
        /** Sets the status and content type; called once before any body byte. */
        void begin(int status, String contentType) throws IOException;

        OutputStream body() throws IOException;

        /** Flushes what was written to the client. */
        void flush() throws IOException;
    }

    /**
     * What the scheduler reported for one choice: a token, its finish, or an error; {@code
     * handedNanos} is when the scheduler handed a token over ({@link System#nanoTime()}; 0 for a
     * finish or an error).
     */
    record Event(
            int choice,
            int tokenId,
            String text,
            double logprob,
            FinishReason finish,
            int prompt,
            int completion,
            EngineException error,
            long handedNanos) {}

    private final Engine engine;
    private final CompletionParams p;
    private final CompletionWriter writer;
    private final EventMailbox<Event> events;
    private final ServeMetrics.Histogram delivery;
    private final List<SequenceHandle> handles = new ArrayList<>();
    private volatile boolean clientGone;
    private StringBuilder[] texts;
    private FinishReason[] finish;
    private List<List<Event>> tokens;
    private int promptTokens;
    private int completionTokens;

    /**
     * {@code chat}: answer in the shape of {@code /v1/chat/completions} ({@code chat.completion}
     * objects with {@code message}, {@code chat.completion.chunk} deltas when streaming).
     */
    Completions(
            Engine engine, LanguageModel model, String modelId, CompletionParams p, boolean chat, StreamWaker waker) {
        this.engine = engine;
        this.events = new EventMailbox<>(waker);
        this.delivery = engine.metrics().tokenDelivery();
        this.p = p;
        this.writer = new CompletionWriter(model, modelId, p, chat);
    }

    /** Submits the sequences; throws {@link ApiError} 429/503 when the engine refuses them. */
    void submit() {
        if (p.maxTokens == 0) {
            return;
        }
        int c = 0;
        for (int[] prompt : p.prompts) {
            for (int j = 0; j < p.n; j++) {
                int choice = c++;
                SequenceRequest r = new SequenceRequest(prompt, p.sampling(j), p.maxTokens, p.stop, !p.ignoreEos);
                try {
                    handles.add(engine.submit(r, new Listener(choice)));
                } catch (EngineException e) {
                    cancel();
                    throw ApiError.fromEngine(e);
                }
            }
        }
    }

    /** Cancels every sequence of this request (idempotent). */
    void cancel() {
        for (SequenceHandle h : handles) {
            h.cancel();
        }
    }

    private final class Listener implements SequenceListener {
        private final int choice;

        Listener(int choice) {
            this.choice = choice;
        }

        @Override
        public void onToken(int tokenId, String text, double logprob) {
            events.add(new Event(choice, tokenId, text, logprob, null, 0, 0, null, System.nanoTime()));
        }

        @Override
        public boolean wantsLogprobs() {
            return p.logprobs >= 0;
        }

        @Override
        public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
            events.add(new Event(choice, -1, "", 0, reason, promptTokens, completionTokens, null, 0));
        }

        @Override
        public void onError(EngineException error) {
            events.add(new Event(choice, -1, "", 0, null, 0, 0, error, 0));
        }
    }

    /** Streams SSE chunks until every choice finished; returns false when the client went away. */
    boolean stream(Sink sink) throws InterruptedException {
        int open = p.maxTokens == 0 ? 0 : p.choices();
        try {
            sink.begin(200, "text/event-stream; charset=utf-8");
            OutputStream out = sink.body();
            if (p.echo) {
                for (int c = 0; c < p.choices(); c++) {
                    String t = p.promptTexts.get(c / p.n);
                    writer.chunk(out, c, t, -1, 0, null);
                }
            }
            if (p.maxTokens == 0) {
                for (int c = 0; c < p.choices(); c++) {
                    writer.chunk(out, c, "", -1, 0, FinishReason.LENGTH);
                    promptTokens += p.prompts.get(c / p.n).length;
                }
            }
            sink.flush();
            List<Event> batch = new ArrayList<>();
            while (open > 0) {
                batch.clear();
                if (!events.drainTo(batch, PING_NANOS)) {
                    // Nothing to say for a while (queued): a comment line detects a client that left.
                    out.write(PING);
                    sink.flush();
                    continue;
                }
                for (Event ev : batch) {
                    if (ev.error != null) {
                        open--;
                        writer.error(out, ApiError.fromEngine(ev.error));
                    } else if (ev.finish != null) {
                        open--;
                        promptTokens += ev.prompt;
                        completionTokens += ev.completion;
                        if (ev.finish != FinishReason.CANCELLED) {
                            writer.chunk(out, ev.choice, "", -1, 0, ev.finish);
                        }
                    } else if (isTokenChunk(ev)) {
                        writer.chunk(out, ev.choice, ev.text, ev.tokenId, ev.logprob, null);
                    }
                }
                sink.flush();
                long flushed = System.nanoTime();
                for (Event ev : batch) {
                    if (isTokenChunk(ev)) {
                        delivery.observeNanos(flushed - ev.handedNanos);
                    }
                }
            }
            if (p.includeUsage) {
                writer.usageChunk(out, promptTokens, completionTokens);
            }
            out.write(DONE);
            sink.flush();
            return true;
        } catch (IOException e) {
            LOG.debug("client of {} went away: {}", writer.id(), e.toString());
            cancel();
            return false;
        }
    }

    /**
     * Whether {@code ev} is a token written as its own chunk: one with text, or any token when
     * log-probabilities are asked for (a token with empty text otherwise writes no chunk).
     */
    private boolean isTokenChunk(Event ev) {
        return ev.error == null && ev.finish == null && (!ev.text.isEmpty() || p.logprobs >= 0);
    }

    /**
     * Marks the client as gone (its connection closed before the response) and cancels every
     * sequence: {@link #await()} then returns false at the next decoding step.
     */
    void clientGone() {
        clientGone = true;
        cancel();
    }

    /**
     * Waits for every choice of a non-streaming request.
     *
     * @return false when the client went away ({@link #clientGone()}) and nothing should be written
     */
    boolean await() throws InterruptedException {
        int choices = p.choices();
        texts = new StringBuilder[choices];
        finish = new FinishReason[choices];
        tokens = new ArrayList<>();
        for (int c = 0; c < choices; c++) {
            texts[c] = new StringBuilder();
            if (p.echo) {
                texts[c].append(p.promptTexts.get(c / p.n));
            }
            tokens.add(new ArrayList<>());
        }
        int open = p.maxTokens == 0 ? 0 : choices;
        if (p.maxTokens == 0) {
            for (int c = 0; c < choices; c++) {
                finish[c] = FinishReason.LENGTH;
                promptTokens += p.prompts.get(c / p.n).length;
            }
        }
        List<Event> batch = new ArrayList<>();
        try {
            while (open > 0) {
                batch.clear();
                events.drainTo(batch, Long.MAX_VALUE);
                for (Event e : batch) {
                    if (e.error != null) {
                        cancel();
                        throw ApiError.fromEngine(e.error);
                    }
                    if (e.finish != null) {
                        open--;
                        finish[e.choice] = e.finish;
                        promptTokens += e.prompt;
                        completionTokens += e.completion;
                    } else {
                        texts[e.choice].append(e.text);
                        if (p.logprobs >= 0) {
                            tokens.get(e.choice).add(e);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            cancel();
            throw e;
        }
        return !clientGone;
    }

    /** Writes the one JSON response of a non-streaming request, after {@link #await()}. */
    void respond(Sink sink) throws IOException {
        writer.response(sink, texts, finish, tokens, promptTokens, completionTokens);
    }
}
