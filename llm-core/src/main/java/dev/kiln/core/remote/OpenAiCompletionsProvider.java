package dev.kiln.core.remote;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModelProvider;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Opens {@code http://} and {@code https://} locations as {@link OpenAiCompletionsModel}s.
 * Registered in {@code META-INF/services/dev.kiln.core.model.LanguageModelProvider}.
 *
 * <p>The location is the API base ({@code http://host:8080/v1}); a bare {@code http://host:8080}
 * gets {@code /v1} appended, and a full {@code .../v1/completions} URL is accepted too.
 *
 * <pre>{@code
 * LanguageModel m = LanguageModels.open("http://127.0.0.1:8080/v1", Map.of("api_key", "sk-..."));
 * }</pre>
 */
public final class OpenAiCompletionsProvider implements LanguageModelProvider {

    @Override
    public String name() {
        return "openai-http";
    }

    @Override
    public boolean canOpen(String location) {
        String l = location == null ? "" : location.toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    @Override
    public LanguageModel open(String location, Map<String, String> options) throws IOException {
        URI uri;
        try {
            uri = URI.create(location.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + location + "' is not a valid URL: " + e.getMessage());
        }
        requireArgument(uri.getHost() != null, "'%s' has no host; expected e.g. http://127.0.0.1:8080/v1", location);
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/completions")) {
            s = s.substring(0, s.length() - "/completions".length());
        } else if (uri.getPath() == null
                || uri.getPath().isEmpty()
                || uri.getPath().equals("/")) {
            s = s + "/v1";
        }
        String apiKey = options.getOrDefault("api_key", System.getenv("OPENAI_API_KEY"));
        return new OpenAiCompletionsModel(
                URI.create(s),
                options.get("model"),
                apiKey,
                intOption(options, "context_length", 2048, 1),
                Duration.ofSeconds(intOption(options, "timeout_s", 300, 1)),
                intOption(options, "max_retries", 4, 0),
                intOption(options, "retry_base_ms", 500, 0));
    }

    private static int intOption(Map<String, String> options, String key, int def, int min) {
        String v = options.get(key);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be an integer >= " + min + ", got '" + v + "'");
        }
    }
}
