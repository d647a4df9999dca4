package dev.kiln.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * {@code POST /v1/completions}: text completion and fill-in-the-middle ({@code suffix}); also
 * answers the completion that {@link ChatHandler} makes of a conversation.
 */
record CompletionsHandler(ServingState state, RequestBody body, Responder responder, int maxChoices)
        implements Handler {

    @Override
    public void handle(Context ctx) throws Exception {
        ServingState.Loaded l = state.requireReady();
        complete(ctx, l, body.read(ctx), false);
    }

    /** Validates {@code request} as a completion body and answers it, in the chat shape when {@code chat}. */
    void complete(Context ctx, ServingState.Loaded l, JsonNode request, boolean chat) throws Exception {
        CompletionParams p = CompletionParams.parse(request, l.model(), l.modelId(), l.fim(), maxChoices);
        responder.serve(ctx, p, new Completions(l.engine(), l.model(), l.modelId(), p, chat, responder.waker()));
    }
}
