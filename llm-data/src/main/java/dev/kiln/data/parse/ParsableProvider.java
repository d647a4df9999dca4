package dev.kiln.data.parse;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.util.Map;

/**
 * The {@code parsable} stage for recipes (see {@link ParsableFilter}):
 *
 * <pre>{@code
 * - parsable: {java-level: JAVA_25, javac-fallback: true, max-chars: 2000000, max-errors: 0, timeout-ms: 5000, recheck: auto}
 * }</pre>
 *
 * <ul>
 *   <li>{@code java-level}: JavaParser's language level ({@code JAVA_17} ... {@code JAVA_25}, {@code
 *       BLEEDING_EDGE}).
 *   <li>{@code javac-fallback}: re-check JavaParser's rejects with javac (default true).
 *   <li>{@code max-chars}: longer texts pass unchecked (default 2 000 000).
 *   <li>{@code max-errors}: tree-sitter ERROR/MISSING nodes a file may have (default 0).
 *   <li>{@code timeout-ms}: budget of one tree-sitter parse, and of one re-check process (default
 *       5 000).
 *   <li>{@code recheck}: {@code auto} (default) re-checks the JavaScript and Python files tree-sitter
 *       rejects with {@code node --check} / {@code python3}'s compiler when they are on the PATH, and
 *       keeps what they accept; {@code off} keeps tree-sitter's verdict.
 * </ul>
 */
public final class ParsableProvider implements StageProvider {

    @Override
    public String name() {
        return "parsable";
    }

    @Override
    public String description() {
        return "drop source files that do not parse (Java: JavaParser, re-checked by javac); tree-sitter for Python, JS, TS, Go, Rust, C, C++, C#, Ruby, PHP, shell, Kotlin, Scala, JSON, HTML, CSS on Java 23+, its JavaScript and Python rejects re-checked by node --check / python3 when on the PATH; options java-level, javac-fallback, max-chars, max-errors, timeout-ms, recheck (auto|off)";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(
                name(), options, "java-level", "javac-fallback", "max-chars", "max-errors", "timeout-ms", "recheck");
        return ParsableFilter.of(
                        o.getString("java-level", "JAVA_25"),
                        o.getBoolean("javac-fallback", true),
                        o.getInt("max-chars", 2_000_000),
                        o.getInt("max-errors", 0),
                        o.getInt("timeout-ms", 5_000))
                .withRecheck(ParsableFilter.Recheck.parse(o.getString("recheck", "auto")));
    }
}
