package dev.kiln.core.model;

import java.io.IOException;
import java.util.Map;

/**
 * Opens {@link LanguageModel}s from a location, found through {@link java.util.ServiceLoader}.
 * llm-train registers one for checkpoint directories; an OpenAI-compatible HTTP client registers
 * one for {@code http(s)://} URLs. Register yours in {@code
 * META-INF/services/dev.kiln.core.model.LanguageModelProvider}.
 */
public interface LanguageModelProvider {

    /** A short name for errors and logs, e.g. {@code kiln-checkpoint}. */
    String name();

    /** Whether this provider understands {@code location} (cheap: no loading). */
    boolean canOpen(String location);

    /**
     * Opens the model.
     *
     * @param options provider-specific options (device, threads, API key ...)
     * @throws IOException when the model cannot be read or reached
     */
    LanguageModel open(String location, Map<String, String> options) throws IOException;
}
