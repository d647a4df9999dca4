package dev.kiln.data.parse;

import dev.kiln.data.Stage;
import dev.kiln.data.StageProvider;
import dev.kiln.data.filter.StageOptions;
import java.util.Map;

/**
 * The {@code parsable} stage for recipes:
 *
 * <pre>{@code
 * - parsable: {java-level: JAVA_25, javac-fallback: true, max-chars: 2000000, max-errors: 0, timeout-ms: 5000}
 * }</pre>
 */
public final class ParsableProvider implements StageProvider {

    @Override
    public String name() {
        return "parsable";
    }

    @Override
    public String description() {
        return "drop source files that do not parse (Java: JavaParser, re-checked by javac); tree-sitter for Python, JS, TS, Go, Rust, C, C++, C#, Ruby, PHP, shell, Kotlin, Scala, JSON, HTML, CSS on Java 23+";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(
                name(), options, "java-level", "javac-fallback", "max-chars", "max-errors", "timeout-ms");
        return ParsableFilter.of(
                o.getString("java-level", "JAVA_25"),
                o.getBoolean("javac-fallback", true),
                o.getInt("max-chars", 2_000_000),
                o.getInt("max-errors", 0),
                o.getInt("timeout-ms", 5_000));
    }
}
