package dev.kiln.eval;

import java.util.Locale;

/** The programming languages Kiln can execute samples of. */
public enum EvalLanguage {
    PYTHON("python"),
    JAVA("java");

    private final String id;

    EvalLanguage(String id) {
        this.id = id;
    }

    /** Lower-case name, as in {@code summary.json}. */
    public String id() {
        return id;
    }

    /**
     * Parses {@code python}, {@code py}, {@code java} (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static EvalLanguage parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "python":
            case "py":
            case "python3":
                return PYTHON;
            case "java":
                return JAVA;
            default:
                throw new IllegalArgumentException("unsupported language '" + name + "'; use python or java");
        }
    }
}
