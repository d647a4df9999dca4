package dev.kiln.serve.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.Tokenizer;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.engine.EngineException;
import dev.kiln.serve.engine.SequenceHandle;
import dev.kiln.serve.engine.SequenceListener;
import dev.kiln.serve.engine.SequenceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@code /v1/completions} request against the engine: submits one sequence per choice,
 * then either streams Server-Sent Events as tokens arrive or collects one JSON response. Events
 * from the scheduler thread arrive through a queue, so the scheduler never waits on the network.
 * A failed write (the client went away) cancels every sequence of the request.
 */
public final class Completions {

    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Where the answer goes: the HTTP layer implements it over the servlet response. */
    public interface Sink {
        /** Sets the status and content type; called once before any body byte. */
        void begin(int status, String contentType) throws IOException;

        OutputStream body() throws IOException;

        /** Flushes what was written to the client. */
        void flush() throws IOException;
    }

    private record Event(
            int choice,
            int tokenId,
            String text,
            double logprob,
            FinishReason finish,
            int prompt,
            int completion,
            EngineException error) {}

    private final Engine engine;
    private final LanguageModel model;
    private final String modelId;
    private final CompletionParams p;
    private String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
    private boolean chat;
    private boolean[] roleSent;
    private final long created = System.currentTimeMillis() / 1000;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<SequenceHandle> handles = new ArrayList<>();
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    private final int[] textOffset;
    private JsonGenerator sse;
    private volatile boolean clientGone;
    private StringBuilder[] texts;
    private FinishReason[] finish;
    private List<List<Event>> tokens;
    private int promptTokens;
    private int completionTokens;

    public Completions(Engine engine, LanguageModel model, String modelId, CompletionParams p) {
        this.engine = engine;
        this.model = model;
        this.modelId = modelId;
        this.p = p;
        this.textOffset = new int[p.choices()];
    }

    /**
     * Answers in the shape of {@code /v1/chat/completions}: {@code chat.completion} objects with
     * {@code message}, and {@code chat.completion.chunk} deltas when streaming.
     */
    public Completions asChat() {
        chat = true;
        id = "chatcmpl-" + id.substring(5);
        roleSent = new boolean[p.choices()];
        return this;
    }

    /** Submits the sequences; throws {@link ApiError} 429/503 when the engine refuses them. */
    public void submit() {
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
                    throw toApiError(e);
                }
            }
        }
    }

    /** Cancels every sequence of this request (idempotent). */
    public void cancel() {
        for (SequenceHandle h : handles) {
            h.cancel();
        }
    }

    static ApiError toApiError(EngineException e) {
        return switch (e.kind()) {
            case QUEUE_FULL -> new ApiError(429, "rate_limit_error", null, "queue_full", e.getMessage());
            case TIMEOUT -> new ApiError(503, "server_error", null, "timeout", e.getMessage());
            case SHUTDOWN -> new ApiError(503, "server_error", null, "shutting_down", e.getMessage());
            case BAD_REQUEST -> ApiError.badRequest("prompt", e.getMessage());
            case MODEL_ERROR -> new ApiError(500, "server_error", null, "model_error", e.getMessage());
        };
    }

    private final class Listener implements SequenceListener {
        private final int choice;

        Listener(int choice) {
            this.choice = choice;
        }

        @Override
        public void onToken(int tokenId, String text, double logprob) {
            events.add(new Event(choice, tokenId, text, logprob, null, 0, 0, null));
        }

        @Override
        public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
            events.add(new Event(choice, -1, "", 0, reason, promptTokens, completionTokens, null));
        }

        @Override
        public void onError(EngineException error) {
            events.add(new Event(choice, -1, "", 0, null, 0, 0, error));
        }
    }

    /** Streams SSE chunks until every choice finished; returns false when the client went away. */
    public boolean stream(Sink sink) throws InterruptedException {
        int open = p.maxTokens == 0 ? 0 : p.choices();
        try {
            sink.begin(200, "text/event-stream; charset=utf-8");
            OutputStream out = sink.body();
            if (p.echo) {
                for (int c = 0; c < p.choices(); c++) {
                    String t = p.promptTexts.get(c / p.n);
                    chunk(out, c, t, -1, 0, null, true);
                }
            }
            if (p.maxTokens == 0) {
                for (int c = 0; c < p.choices(); c++) {
                    chunk(out, c, "", -1, 0, FinishReason.LENGTH, false);
                    promptTokens += p.prompts.get(c / p.n).length;
                }
            }
            sink.flush();
            List<Event> batch = new ArrayList<>();
            while (open > 0) {
                Event e = events.poll(PING_NANOS, TimeUnit.NANOSECONDS);
                if (e == null) {
                    // Nothing to say for a while (queued): a comment line detects a client that left.
                    out.write(PING);
                    sink.flush();
                    continue;
                }
                batch.clear();
                batch.add(e);
                events.drainTo(batch);
                for (Event ev : batch) {
                    if (ev.error != null) {
                        open--;
                        error(out, ev.error);
                    } else if (ev.finish != null) {
                        open--;
                        promptTokens += ev.prompt;
                        completionTokens += ev.completion;
                        if (ev.finish != FinishReason.CANCELLED) {
                            chunk(out, ev.choice, "", -1, 0, ev.finish, false);
                        }
                    } else if (!ev.text.isEmpty() || p.logprobs >= 0) {
                        chunk(out, ev.choice, ev.text, ev.tokenId, ev.logprob, null, false);
                    }
                }
                sink.flush();
            }
            if (p.includeUsage) {
                usageChunk(out);
            }
            out.write(DONE);
            sink.flush();
            return true;
        } catch (IOException e) {
            LOG.debug("client of {} went away: {}", id, e.toString());
            cancel();
            return false;
        }
    }

    /**
     * Marks the client as gone (its connection closed before the response) and cancels every
     * sequence: {@link #await()} then returns false at the next decoding step.
     */
    public void clientGone() {
        clientGone = true;
        cancel();
    }

    /**
     * Waits for every choice of a non-streaming request.
     *
     * @return false when the client went away ({@link #clientGone()}) and nothing should be written
     */
    public boolean await() throws InterruptedException {
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
        try {
            while (open > 0) {
                Event e = events.take();
                if (e.error != null) {
                    cancel();
                    throw toApiError(e.error);
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
        } catch (InterruptedException e) {
            cancel();
            throw e;
        }
        return !clientGone;
    }

    /** Writes the one JSON response of a non-streaming request, after {@link #await()}. */
    public void respond(Sink sink) throws IOException {
        int choices = p.choices();
        buf.reset();
        try (JsonGenerator g = Json.mapper().createGenerator(buf)) {
            g.writeStartObject();
            header(g, chat ? "chat.completion" : "text_completion");
            g.writeArrayFieldStart("choices");
            Tokenizer tok = model.tokenizer();
            for (int c = 0; c < choices; c++) {
                g.writeStartObject();
                if (chat) {
                    g.writeNumberField("index", c);
                    g.writeObjectFieldStart("message");
                    g.writeStringField("role", "assistant");
                    g.writeStringField("content", texts[c].toString());
                    g.writeEndObject();
                } else {
                    g.writeStringField("text", texts[c].toString());
                    g.writeNumberField("index", c);
                }
                if (p.logprobs >= 0 && !chat) {
                    List<String> names = new ArrayList<>();
                    List<Double> lps = new ArrayList<>();
                    List<Integer> offsets = new ArrayList<>();
                    int offset = 0;
                    if (p.echo) {
                        // Prompt tokens (as lm-evaluation-harness reads them): the first has no
                        // logprob, the others are scored by the model when it can score.
                        int[] ids = p.prompts.get(c / p.n);
                        double[] scores = promptScores(c / p.n);
                        for (int i = 0; i < ids.length; i++) {
                            names.add(tok.tokenText(ids[i]));
                            lps.add(i == 0 || scores == null ? null : scores[i - 1]);
                            offsets.add(
                                    Math.min(offset, p.promptTexts.get(c / p.n).length()));
                            offset += tok.isSpecial(ids[i])
                                    ? 0
                                    : tok.decode(ids, i, i + 1).length();
                        }
                        offset = p.promptTexts.get(c / p.n).length();
                    }
                    for (Event t : tokens.get(c)) {
                        names.add(tok.tokenText(t.tokenId));
                        lps.add(t.logprob);
                        offsets.add(offset);
                        offset += t.text.length();
                    }
                    g.writeObjectFieldStart("logprobs");
                    g.writeArrayFieldStart("tokens");
                    for (String n : names) {
                        g.writeString(n);
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("token_logprobs");
                    for (Double lp : lps) {
                        if (lp == null) {
                            g.writeNull();
                        } else {
                            g.writeNumber(lp);
                        }
                    }
                    g.writeEndArray();
                    // Only the chosen token: the step API does not expose the full distribution.
                    g.writeArrayFieldStart("top_logprobs");
                    for (int i = 0; i < names.size(); i++) {
                        if (lps.get(i) == null) {
                            g.writeNull();
                        } else {
                            g.writeStartObject();
                            g.writeNumberField(names.get(i), lps.get(i));
                            g.writeEndObject();
                        }
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("text_offset");
                    for (int o : offsets) {
                        g.writeNumber(o);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                } else {
                    g.writeNullField("logprobs");
                }
                g.writeStringField("finish_reason", finish[c] == null ? null : finish[c].wireName());
                g.writeEndObject();
            }
            g.writeEndArray();
            usage(g);
            g.writeEndObject();
        }
        sink.begin(200, "application/json");
        buf.writeTo(sink.body());
        sink.flush();
    }

    private final Map<Integer, double[]> scored = new HashMap<>();

    /** log p(prompt[i + 1] | prompt[..i]) for prompt {@code k}, or null when the model cannot score. */
    private double[] promptScores(int k) {
        if (!model.supportsScoring()) {
            return null;
        }
        return scored.computeIfAbsent(k, i -> model.score(p.prompts.get(i)));
    }

    private void header(JsonGenerator g, String object) throws IOException {
        g.writeStringField("id", id);
        g.writeStringField("object", object);
        g.writeNumberField("created", created);
        g.writeStringField("model", modelId);
    }

    private void usage(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", promptTokens);
        g.writeNumberField("completion_tokens", completionTokens);
        g.writeNumberField("total_tokens", promptTokens + completionTokens);
        g.writeEndObject();
    }

    private void chunk(
            OutputStream out, int choice, String text, int tokenId, double lp, FinishReason finish, boolean echo)
            throws IOException {
        buf.reset();
        buf.write(DATA);
        JsonGenerator g = sseGenerator();
        {
            g.writeStartObject();
            header(g, chat ? "chat.completion.chunk" : "text_completion");
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            if (chat) {
                g.writeNumberField("index", choice);
                g.writeObjectFieldStart("delta");
                if (!roleSent[choice]) {
                    roleSent[choice] = true;
                    g.writeStringField("role", "assistant");
                }
                if (finish == null) {
                    g.writeStringField("content", text);
                }
                g.writeEndObject();
            } else {
                g.writeStringField("text", text);
                g.writeNumberField("index", choice);
            }
            if (p.logprobs >= 0 && tokenId >= 0 && !chat) {
                String t = model.tokenizer().tokenText(tokenId);
                g.writeObjectFieldStart("logprobs");
                g.writeArrayFieldStart("tokens");
                g.writeString(t);
                g.writeEndArray();
                g.writeArrayFieldStart("token_logprobs");
                g.writeNumber(lp);
                g.writeEndArray();
                g.writeArrayFieldStart("top_logprobs");
                g.writeStartObject();
                g.writeNumberField(t, lp);
                g.writeEndObject();
                g.writeEndArray();
                g.writeArrayFieldStart("text_offset");
                g.writeNumber(textOffset[choice]);
                g.writeEndArray();
                g.writeEndObject();
            } else {
                g.writeNullField("logprobs");
            }
            g.writeStringField("finish_reason", finish == null ? null : finish.wireName());
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
        }
        textOffset[choice] += text.length();
        buf.write('\n');
        buf.write('\n');
        buf.writeTo(out);
    }

    /** One generator per streamed request, writing each chunk into {@code buf} (no per-token setup). */
    private JsonGenerator sseGenerator() throws IOException {
        if (sse == null) {
            sse = Json.mapper().createGenerator(buf);
            sse.setRootValueSeparator(null);
        }
        return sse;
    }

    private void usageChunk(OutputStream out) throws IOException {
        buf.reset();
        buf.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        try (JsonGenerator g = Json.mapper().createGenerator(buf)) {
            g.writeStartObject();
            header(g, chat ? "chat.completion.chunk" : "text_completion");
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g);
            g.writeEndObject();
        }
        buf.write('\n');
        buf.write('\n');
        buf.writeTo(out);
    }

    private void error(OutputStream out, EngineException e) throws IOException {
        ApiError a = toApiError(e);
        buf.reset();
        buf.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        buf.writeBytes(Errors.json(a));
        buf.write('\n');
        buf.write('\n');
        buf.writeTo(out);
    }
}
