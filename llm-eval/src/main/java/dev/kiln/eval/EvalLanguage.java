package dev.kiln.eval;

import java.util.Locale;

/** The programming languages Kiln can execute samples of. */
public enum EvalLanguage {
    /** HumanEval's original Python problems. */
    PYTHON("python"),
    /** HumanEval-X Java. */
    JAVA("java"),
    /** HumanEval-X C++. */
    CPP("cpp"),
    /** HumanEval-X Go. */
    GO("go"),
    /** HumanEval-X JavaScript (id {@code js}, as HumanEval-X names it). */
    JAVASCRIPT("js"),
    /** HumanEval-X Rust. */
    RUST("rust");

    private final String id;

    EvalLanguage(String id) {
        this.id = id;
    }

    /** Lower-case name, as in {@code summary.json} and {@code --language}. */
    public String id() {
        return id;
    }

    /**
     * Parses {@code python}/{@code py}, {@code java}, {@code cpp}/{@code c++}, {@code go}/{@code
     * golang}, {@code js}/{@code javascript}, {@code rust}/{@code rs} (any case; HumanEval-X's
     * task-id prefixes {@code CPP}, {@code Go}, {@code JavaScript}, {@code Rust} included).
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
            case "cpp":
            case "c++":
            case "cxx":
                return CPP;
            case "go":
            case "golang":
                return GO;
            case "js":
            case "javascript":
            case "node":
                return JAVASCRIPT;
            case "rust":
            case "rs":
                return RUST;
            default:
                throw new IllegalArgumentException(
                        "unsupported language '" + name + "'; use python, java, cpp, go, js or rust");
        }
    }
}
