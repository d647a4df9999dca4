package dev.kiln.serve.openai;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.serve.engine.Engine;

/**
 * What the HTTP layer serves, as the server's lifecycle publishes it: nothing while the model
 * loads, then one {@link Loaded} snapshot (published at once, so a request never sees an engine
 * without its model), or the loading failure; and whether completions are still accepted.
 * Internal to llm-serve: {@link dev.kiln.serve.Server} reads and writes it.
 *
 * <pre>{@code
 * ServingState state = new ServingState();
 * state.publish(new ServingState.Loaded(engine, model, "tiny", null));
 * state.isReady();   // true
 * }</pre>
 */
public final class ServingState {

    /**
     * A loaded model and its engine.
     *
     * @param engine the engine that schedules the model's sequences
     * @param model the first instance (its tokenizer, context length and templates serve every request)
     * @param modelId the id listed by {@code /v1/models} and named in responses
     * @param fim the fill-in-the-middle layout for {@code suffix}, or null when the model has none
     */
    public record Loaded(Engine engine, LanguageModel model, String modelId, FimTemplate fim) {}

    private volatile Loaded loaded;
    private volatile Throwable loadError;
    private volatile boolean accepting = true;

    /** Creates the state of a server whose model is not loaded yet. */
    public ServingState() {}

    /** Publishes the loaded model: completions are served from now on. */
    public void publish(Loaded value) {
        if (value == null) {
            throw new IllegalArgumentException("loaded model must not be null");
        }
        this.loaded = value;
    }

    /** Records why loading failed: {@code /ready} and completions answer 503 with its message. */
    public void fail(Throwable error) {
        this.loadError = error;
    }

    /** Stops accepting completions (graceful shutdown): {@code /ready} turns 503. */
    public void stopAccepting() {
        this.accepting = false;
    }

    /** The loaded model, or null while loading or after a failure. */
    public Loaded loaded() {
        return loaded;
    }

    /** Why loading failed, or null. */
    public Throwable loadError() {
        return loadError;
    }

    /** The innermost message of the loading failure, or null when loading did not fail. */
    public String loadErrorMessage() {
        Throwable t = loadError;
        return t == null ? null : rootMessage(t);
    }

    /** Whether completions are accepted (false once shutdown began). */
    public boolean accepting() {
        return accepting;
    }

    /** Whether the model is loaded and completions are accepted. */
    public boolean isReady() {
        return loaded != null && accepting;
    }

    /** The loaded model, or a 503 saying why there is none (with {@code Retry-After: 5}). */
    Loaded requireReady() {
        if (!accepting) {
            throw ApiError.unavailable("shutting_down", "the server is shutting down", 5);
        }
        Loaded l = loaded;
        if (l == null) {
            throw ApiError.unavailable(
                    "not_ready",
                    loadError != null
                            ? "the model failed to load: " + loadErrorMessage()
                            : "the model is still loading; retry when GET /ready answers 200",
                    5);
        }
        return l;
    }

    /** The message of the innermost cause (what a person can act on), or its class name. */
    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return m == null ? r.getClass().getSimpleName() : m;
    }
}
