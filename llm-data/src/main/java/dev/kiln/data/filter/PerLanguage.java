package dev.kiln.data.filter;

import dev.kiln.data.StageOptions;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A threshold with per-language overrides and exemptions, immutable and serializable.
 *
 * <pre>{@code
 * PerLanguage max = PerLanguage.of(1000).exempt("markdown", "sql").with("json", 5000);
 * max.applies("markdown");  // false
 * max.get("json");          // 5000.0
 * max.get("java");          // 1000.0
 * }</pre>
 */
public final class PerLanguage implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double defaultValue;
    /** Language id → threshold; NaN marks an exempt language. */
    private final Map<String, Double> overrides;

    private PerLanguage(double defaultValue, Map<String, Double> overrides) {
        this.defaultValue = defaultValue;
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    /** The same threshold for every language. */
    public static PerLanguage of(double defaultValue) {
        if (Double.isNaN(defaultValue)) {
            throw new IllegalArgumentException("threshold must be a number, got " + defaultValue);
        }
        return new PerLanguage(defaultValue, Map.of());
    }

    /** A copy where {@code language} uses {@code value} instead of the default. */
    public PerLanguage with(String language, double value) {
        Objects.requireNonNull(language, "language");
        Map<String, Double> m = new LinkedHashMap<>(overrides);
        m.put(language, value);
        return new PerLanguage(defaultValue, m);
    }

    /** A copy where these languages are not checked at all. */
    public PerLanguage exempt(String... languages) {
        Map<String, Double> m = new LinkedHashMap<>(overrides);
        for (String l : languages) {
            m.put(Objects.requireNonNull(l, "language"), Double.NaN);
        }
        return new PerLanguage(defaultValue, m);
    }

    /** A copy with overrides from a map (NaN values exempt). */
    public PerLanguage withAll(Map<String, Double> more) {
        Map<String, Double> m = new LinkedHashMap<>(overrides);
        m.putAll(more);
        return new PerLanguage(defaultValue, m);
    }

    /** A copy with the given languages' exemptions lifted (they use the default again). */
    public PerLanguage withoutExemptions() {
        Map<String, Double> m = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            if (!v.isNaN()) {
                m.put(k, v);
            }
        });
        return new PerLanguage(defaultValue, m);
    }

    /** Whether documents of this language are checked. */
    public boolean applies(String language) {
        Double v = overrides.get(language);
        return v == null || !v.isNaN();
    }

    /** The threshold for this language (NaN when exempt). */
    public double get(String language) {
        Double v = overrides.get(language);
        return v == null ? defaultValue : v;
    }

    /** The threshold for languages without an override. */
    public double defaultValue() {
        return defaultValue;
    }

    /** Exempt language ids. */
    public Set<String> exemptions() {
        Set<String> s = new java.util.TreeSet<>();
        overrides.forEach((k, v) -> {
            if (v.isNaN()) {
                s.add(k);
            }
        });
        return s;
    }

    /** Reads {@code exempt} (list) and {@code languages} (map) options over this value. */
    static PerLanguage fromOptions(PerLanguage base, StageOptions o) {
        PerLanguage p = base;
        if (o.has("exempt")) {
            p = p.withoutExemptions()
                    .exempt(o.getStringList("exempt", java.util.List.of()).toArray(new String[0]));
        }
        return p.withAll(o.getLanguageNumbers("languages"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerLanguage p && p.defaultValue == defaultValue && p.overrides.equals(overrides);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultValue, overrides);
    }

    @Override
    public String toString() {
        return defaultValue + (overrides.isEmpty() ? "" : " " + overrides);
    }
}
