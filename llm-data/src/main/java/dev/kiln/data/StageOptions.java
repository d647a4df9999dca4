package dev.kiln.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to a stage's recipe options, the one option parser of every {@link
 * StageProvider}, with one error format:
 *
 * <ul>
 *   <li>an unknown key: {@code stage 'S': unknown option 'K'; valid options: a, b};
 *   <li>a value of the wrong type: {@code stage 'S': option 'K' must be an integer, got 'x'};
 *   <li>a value a builder setter rejects ({@link #apply}): {@code stage 'S': option 'K': <the
 *       setter's message>};
 *   <li>anything else about the options ({@link #fail}): {@code stage 'S': <message>}.
 * </ul>
 *
 * <pre>{@code
 * StageOptions o = StageOptions.of("max-line-length", options, "max", "exempt", "languages");
 * int max = o.getInt("max", 1000);
 * o.apply("threshold", () -> builder.optThreshold(o.getDouble("threshold", 0.7)));
 * }</pre>
 */
public final class StageOptions {

    private final String stage;
    private final Map<String, Object> options;

    private StageOptions(String stage, Map<String, Object> options) {
        this.stage = stage;
        this.options = options;
    }

    /**
     * The options of {@code stage}, checked: every key must be one of {@code validKeys}.
     *
     * @throws IllegalArgumentException for an unknown key, naming it and listing the valid ones
     */
    public static StageOptions of(String stage, Map<String, Object> options, String... validKeys) {
        return of(stage, options, Set.of(validKeys));
    }

    /** {@link #of(String, Map, String...)} with the valid keys as a collection. */
    public static StageOptions of(String stage, Map<String, Object> options, Collection<String> validKeys) {
        Map<String, Object> o = options == null ? Map.of() : options;
        Set<String> valid = new TreeSet<>(validKeys);
        for (String k : o.keySet()) {
            if (!valid.contains(k)) {
                throw new IllegalArgumentException("stage '" + stage + "': unknown option '" + k + "'; valid options: "
                        + (valid.isEmpty() ? "none" : String.join(", ", valid)));
            }
        }
        return new StageOptions(stage, o);
    }

    /** The stage these options belong to. */
    public String stage() {
        return stage;
    }

    /** Whether {@code key} is given (with a non-null value). */
    public boolean has(String key) {
        return options.get(key) != null;
    }

    /**
     * Runs {@code setter} when {@code key} is given; an {@link IllegalArgumentException} it throws
     * (a builder rejecting the value) is rethrown as {@code stage 'S': option 'K': <message>}.
     */
    public void apply(String key, Runnable setter) {
        if (!has(key)) {
            return;
        }
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("stage '")) {
                throw e;
            }
            throw new IllegalArgumentException("stage '" + stage + "': option '" + key + "': " + e.getMessage(), e);
        }
    }

    /** An error about this stage's options as a whole: {@code stage 'S': <message>}. */
    public IllegalArgumentException fail(String message) {
        return new IllegalArgumentException("stage '" + stage + "': " + message);
    }

    /** An int option, or {@code def} when absent; integral numbers and numeric strings are accepted. */
    public int getInt(String key, int def) {
        long v = getLong(key, def);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw bad(key, options.get(key), "an int");
        }
        return (int) v;
    }

    /** A long option, or {@code def} when absent ({@code 1_000} in a string is accepted). */
    public long getLong(String key, long def) {
        Object v = options.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw bad(key, v, "an integer");
            }
        }
        throw bad(key, v, "an integer");
    }

    /** A number option, or {@code def} when absent. */
    public double getDouble(String key, double def) {
        Object v = options.get(key);
        return v == null ? def : toDouble(key, v);
    }

    /** A boolean option ({@code true}/{@code false}, also as strings), or {@code def} when absent. */
    public boolean getBoolean(String key, boolean def) {
        Object v = options.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw bad(key, v, "true or false");
    }

    /** A string option (numbers and booleans as written), or {@code def} when absent. */
    public String getString(String key, String def) {
        Object v = options.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw bad(key, v, "a string");
    }

    /** A list of strings; a single string is a one-element list, a comma-separated string is split. */
    public List<String> getStringList(String key, List<String> def) {
        Object v = options.get(key);
        if (v == null) {
            return def;
        }
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (o == null || o instanceof Map || o instanceof Collection) {
                    throw bad(key, v, "a list of strings");
                }
                out.add(o.toString());
            }
            return out;
        }
        throw bad(key, v, "a list of strings");
    }

    /** A map from language id to a number ({@code null} or {@code "exempt"} values kept as NaN). */
    public Map<String, Double> getLanguageNumbers(String key) {
        Object v = options.get(key);
        Map<String, Double> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(key, v, "a map from language to number, e.g. {json: 2000}");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object x = e.getValue();
            if (x == null || "exempt".equals(x)) {
                out.put(String.valueOf(e.getKey()), Double.NaN);
            } else {
                out.put(String.valueOf(e.getKey()), toDouble(key + "." + e.getKey(), x));
            }
        }
        return out;
    }

    /** A nested map option (empty when absent). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> getMap(String key) {
        Object v = options.get(key);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw bad(key, v, "a map");
    }

    private double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw bad(key, v, "a number");
            }
        }
        throw bad(key, v, "a number");
    }

    /** An error for a bad value of {@code key}: {@code stage 'S': option 'K' must be <expected>, got '<value>'}. */
    public IllegalArgumentException bad(String key, Object value, String expected) {
        return new IllegalArgumentException(
                "stage '" + stage + "': option '" + key + "' must be " + expected + ", got '" + value + "'");
    }
}
