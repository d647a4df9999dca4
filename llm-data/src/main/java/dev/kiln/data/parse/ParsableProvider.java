package dev.kiln.data.parse;

import dev.kiln.data.Stage;
import dev.kiln.data.StageProvider;
import dev.kiln.data.filter.StageOptions;
import java.util.Map;

/**
 * The {@code parsable} stage for recipes:
 *
 * <pre>{@code
 * - parsable: {java-level: JAVA_25, javac-fallback: true, max-chars: 2000000}
 * }</pre>
 */
public final class ParsableProvider implements StageProvider {

    @Override
    public String name() {
        return "parsable";
    }

    @Override
    public String description() {
        return "drop source files that do not parse (Java: JavaParser, re-checked by javac); others unchecked";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(name(), options, "java-level", "javac-fallback", "max-chars");
        return ParsableFilter.of(
                o.getString("java-level", "JAVA_25"),
                o.getBoolean("javac-fallback", true),
                o.getInt("max-chars", 2_000_000));
    }
}
