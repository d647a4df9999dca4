package dev.kiln.core.model;

import dev.kiln.core.KilnEnvironmentException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens a model from a directory or URL through the registered {@link LanguageModelProvider}s.
 *
 * <pre>{@code
 * try (LanguageModel m = LanguageModels.open("runs/tiny/checkpoints")) { ... }
 * try (LanguageModel m = LanguageModels.open("http://127.0.0.1:8080/v1")) { ... }
 * }</pre>
 */
public final class LanguageModels {

    private LanguageModels() {}

    /** Opens a model with no options; see {@link #open(String, Map)}. */
    public static LanguageModel open(String location) throws IOException {
        return open(location, Map.of());
    }

    /**
     * Opens a model by location (a checkpoint directory, an {@code http(s)://} OpenAI-compatible URL, ...)
     * through the first {@link LanguageModelProvider} on the class path that can open it.
     *
     * @throws IllegalArgumentException when no provider can open {@code location} (the message lists them)
     */
    public static LanguageModel open(String location, Map<String, String> options) throws IOException {
        List<String> names = new ArrayList<>();
        for (LanguageModelProvider p : providers()) {
            names.add(p.name());
            if (p.canOpen(location)) {
                return p.open(location, options);
            }
        }
        if (names.isEmpty()) {
            throw new KilnEnvironmentException(
                    "no LanguageModelProvider is on the class path, so '" + location + "' cannot be opened",
                    "add dev.kiln:llm-train (checkpoint directories) or a module with an HTTP provider to the class path");
        }
        throw new IllegalArgumentException(
                "no model provider can open '" + location + "' (tried: " + String.join(", ", names)
                        + "); give a Kiln checkpoint directory or an http(s):// URL of an OpenAI-compatible server");
    }

    /** The providers on the class path, in ServiceLoader order. */
    public static List<LanguageModelProvider> providers() {
        List<LanguageModelProvider> out = new ArrayList<>();
        ServiceLoader.load(LanguageModelProvider.class).forEach(out::add);
        return out;
    }
}
