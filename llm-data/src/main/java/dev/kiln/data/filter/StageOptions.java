package dev.kiln.data.filter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to a stage's recipe options: an unknown key is an {@link
 * IllegalArgumentException} that names the stage and lists the valid keys, and a value of the wrong
 * type names the key and the value.
 *
 * <pre>{@code
 * StageOptions o = StageOptions.of("max-line-length", options, "max", "exempt", "languages");
 * int max = o.getInt("max", 1000);
 * }</pre>
 */
public final class StageOptions {

    private final String stage;
    private final Map<String, Object> options;

    private StageOptions(String stage, Map<String, Object> options) {
        this.stage = stage;
        this.options = options;
    }

    /** Checks that every key of {@code options} is one of {@code validKeys}. */
    public static StageOptions of(String stage, Map<String, Object> options, String... validKeys) {
        Map<String, Object> o = options == null ? Map.of() : options;
        Set<String> valid = Set.of(validKeys);
        for (String k : o.keySet()) {
            if (!valid.contains(k)) {
                throw new IllegalArgumentException("stage '" + stage + "' has no option '" + k + "'; valid options: "
                        + (valid.isEmpty() ? "none" : String.join(", ", new TreeSet<>(valid))));
            }
        }
        return new StageOptions(stage, o);
    }

    public boolean has(String key) {
        return options.containsKey(key);
    }

    public int getInt(String key, int def) {
        long v = getLong(key, def);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw bad(key, options.get(key), "an int");
        }
        return (int) v;
    }

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

    public double getDouble(String key, double def) {
        Object v = options.get(key);
        return v == null ? def : toDouble(key, v);
    }

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

    /** An error for a bad value of {@code key}. */
    public IllegalArgumentException bad(String key, Object value, String expected) {
        return new IllegalArgumentException(
                "stage '" + stage + "': option '" + key + "' must be " + expected + ", got '" + value + "'");
    }
}
