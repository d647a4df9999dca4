package dev.kiln.eval;

import java.util.List;

/** The layout of a problem file, which decides stop rules and how the test program is assembled. */
public enum TaskFormat {
    /**
     * OpenAI human-eval ({@code task_id, prompt, canonical_solution, test, entry_point}): program =
     * {@code prompt + completion + "\n" + test + "\n" + "check(entry_point)"}.
     */
    HUMAN_EVAL,
    /**
     * HumanEval-X ({@code task_id, prompt, declaration, canonical_solution, test}): program =
     * {@code prompt + completion + "\n" + test}. For Java the completion must close the method and
     * the class opened by the prompt; the test is a separate {@code public class Main}.
     */
    HUMAN_EVAL_X,
    /** MultiPL-E ({@code name, language, prompt, tests, stop_tokens}): program = {@code prompt + completion + tests}. */
    MULTIPL_E;

    /** human-eval's stop sequences for Python completions. */
    public static final List<String> HUMAN_EVAL_STOPS = List.of("\nclass", "\ndef", "\n#", "\nif", "\nprint");
}
