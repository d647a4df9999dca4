package dev.kiln.data.license;

import java.util.ArrayList;
import java.util.List;

/** Option parsing helpers for the stage providers of this package. */
final class StageOptions {

    private StageOptions() {}

    static List<String> stringList(String stage, String key, Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        } else if (v instanceof String s) {
            for (String p : s.split(",")) {
                if (!p.isBlank()) {
                    out.add(p.strip());
                }
            }
        } else {
            throw new IllegalArgumentException(
                    "stage " + stage + ": option '" + key + "' must be a list of strings, got '" + v + "'");
        }
        return out;
    }

    static boolean bool(String stage, String key, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(String.valueOf(v)) || "false".equals(String.valueOf(v))) {
            return Boolean.parseBoolean(String.valueOf(v));
        }
        throw new IllegalArgumentException(
                "stage " + stage + ": option '" + key + "' must be true or false, got '" + v + "'");
    }

    static IllegalArgumentException unknownKey(String stage, String key, List<String> valid) {
        return new IllegalArgumentException(
                "stage " + stage + ": unknown option '" + key + "'; valid options: " + String.join(", ", valid));
    }
}
