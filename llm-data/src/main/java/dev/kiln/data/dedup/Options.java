package dev.kiln.data.dedup;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads recipe options of one stage, rejecting unknown keys and bad values with clear errors. */
final class Options {

    private final String stage;
    private final Map<String, Object> options;

    Options(String stage, Map<String, Object> options, Set<String> known) {
        this.stage = stage;
        this.options = options == null ? Map.of() : options;
        for (String k : this.options.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("stage '" + stage + "': unknown option '" + k + "'; valid options: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    boolean has(String key) {
        return options.get(key) != null;
    }

    String string(String key) {
        return String.valueOf(options.get(key));
    }

    double number(String key) {
        Object v = options.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    int integer(String key) {
        Object v = options.get(key);
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    long longValue(String key) {
        Object v = options.get(key);
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    /** Runs a setter, prefixing its error with the stage and key. */
    void apply(String key, Runnable setter) {
        if (!has(key)) {
            return;
        }
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("stage '")) {
                throw e;
            }
            throw new IllegalArgumentException("stage '" + stage + "', option '" + key + "': " + e.getMessage(), e);
        }
    }

    private IllegalArgumentException bad(String key, Object v, String what) {
        return new IllegalArgumentException(
                "stage '" + stage + "', option '" + key + "': expected " + what + ", got '" + v + "'");
    }
}
