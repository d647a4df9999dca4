package dev.kiln.serve.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes one completion request's answer in OpenAI's wire shapes: the {@code text_completion} or
 * {@code chat.completion} object of a non-streaming request, and the SSE chunks of a streaming one
 * ({@code chat.completion.chunk} deltas for chat), with legacy {@code logprobs} and {@code usage}.
 * Each chunk is serialised by one generator into one reused buffer, so streaming allocates no
 * writer per token.
 */
final class CompletionWriter {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final LanguageModel model;
    private final String modelId;
    private final CompletionParams p;
    private final boolean chat;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final boolean[] roleSent;
    private final int[] textOffset;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    private JsonGenerator sse;

    /** {@code chat}: answer in the shape of {@code /v1/chat/completions}. */
    CompletionWriter(LanguageModel model, String modelId, CompletionParams p, boolean chat) {
        this.model = model;
        this.modelId = modelId;
        this.p = p;
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        this.roleSent = new boolean[p.choices()];
        this.textOffset = new int[p.choices()];
    }

    /** The response id ({@code cmpl-...} or {@code chatcmpl-...}). */
    String id() {
        return id;
    }

    /**
     * Writes the one JSON response of a non-streaming request: each choice's text, finish reason
     * and (for {@code logprobs}) its tokens, then the usage.
     */
    void response(
            Completions.Sink sink,
            StringBuilder[] texts,
            FinishReason[] finish,
            List<List<Completions.Event>> tokens,
            int promptTokens,
            int completionTokens)
            throws IOException {
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
                    for (Completions.Event t : tokens.get(c)) {
                        names.add(tok.tokenText(t.tokenId()));
                        lps.add(t.logprob());
                        offsets.add(offset);
                        offset += t.text().length();
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
            usage(g, promptTokens, completionTokens);
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

    private static void usage(JsonGenerator g, int promptTokens, int completionTokens) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", promptTokens);
        g.writeNumberField("completion_tokens", completionTokens);
        g.writeNumberField("total_tokens", promptTokens + completionTokens);
        g.writeEndObject();
    }

    /**
     * Writes one SSE chunk: {@code text} of {@code choice} (with its token's logprob when asked and
     * {@code tokenId >= 0}), or its {@code finish} reason.
     */
    void chunk(OutputStream out, int choice, String text, int tokenId, double lp, FinishReason finish)
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

    /** Writes the last SSE chunk of {@code stream_options.include_usage}: no choices, the usage. */
    void usageChunk(OutputStream out, int promptTokens, int completionTokens) throws IOException {
        buf.reset();
        buf.writeBytes(DATA);
        try (JsonGenerator g = Json.mapper().createGenerator(buf)) {
            g.writeStartObject();
            header(g, chat ? "chat.completion.chunk" : "text_completion");
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, promptTokens, completionTokens);
            g.writeEndObject();
        }
        buf.write('\n');
        buf.write('\n');
        buf.writeTo(out);
    }

    /** Writes an error as an SSE event, in OpenAI's error shape. */
    void error(OutputStream out, ApiError a) throws IOException {
        buf.reset();
        buf.writeBytes(DATA);
        buf.writeBytes(a.json());
        buf.write('\n');
        buf.write('\n');
        buf.writeTo(out);
    }
}
