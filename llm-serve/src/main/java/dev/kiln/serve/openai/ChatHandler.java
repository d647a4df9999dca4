package dev.kiln.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.model.ChatTemplate;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}: the messages are laid out by the model's chat template
 * (rendered by {@link ChatPrompt}), then generated as a completion of that prompt and answered in
 * the chat shape.
 */
record ChatHandler(ServingState state, RequestBody body, CompletionsHandler completions) implements Handler {

    @Override
    public void handle(Context ctx) throws Exception {
        ServingState.Loaded l = state.requireReady();
        JsonNode request = body.read(ctx);
        if (!(request instanceof ObjectNode object)) {
            throw ApiError.badRequest(null, "the request body must be a JSON object");
        }
        ChatTemplate template = l.model()
                .chatTemplate()
                .orElseThrow(() -> ApiError.badRequest(
                        "messages",
                        "model '" + l.modelId()
                                + "' has no chat template (no chat_template in its tokenizer_config.json), so it cannot chat;"
                                + " use /v1/completions"));
        for (String field : List.of("prompt", "suffix", "echo")) {
            if (object.hasNonNull(field)) {
                throw ApiError.badRequest(field, "'" + field + "' is not supported by /v1/chat/completions");
            }
        }
        if (object.path("logprobs").asBoolean(false)) {
            throw ApiError.badRequest("logprobs", "'logprobs' is not supported by /v1/chat/completions");
        }
        String prompt = ChatPrompt.render(template, ChatPrompt.messages(object.get("messages")));
        ObjectNode completion = object.deepCopy();
        completion.remove("messages");
        completion.remove("logprobs");
        completion.put("prompt", prompt);
        JsonNode mct = completion.remove("max_completion_tokens");
        if (mct != null && !mct.isNull()) {
            completion.set("max_tokens", mct);
        }
        if (!completion.hasNonNull("max_tokens")) {
            // As vLLM: without a limit, the answer may fill the rest of the context.
            int used = l.model().tokenizer().encode(prompt).length;
            completion.put("max_tokens", Math.max(1, l.model().contextLength() - used));
        }
        completions.complete(ctx, l, completion, true);
    }
}
