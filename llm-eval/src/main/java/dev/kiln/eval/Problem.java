package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import java.util.List;
import java.util.Map;

/**
 * One benchmark problem.
 *
 * <pre>{@code
 * Problem p = HumanEval.python().get("HumanEval/0");
 * String program = p.program(p.canonicalSolution());   // passes its tests
 * }</pre>
 *
 * @param taskId unique id ({@code HumanEval/0}, {@code Java/0}, MultiPL-E's {@code name})
 * @param prompt the text given to the model
 * @param canonicalSolution the reference completion, or {@code null} when the file has none
 * @param test the test code
 * @param entryPoint the function under test (human-eval), or {@code null}
 * @param stopTokens stop strings for generation (empty when a structural rule applies)
 * @param format the file layout
 * @param language the programming language
 * @param fields the row's other fields that assembling the test program needs (HumanEval-X Go:
 *     {@code import} and {@code test_setup}); empty otherwise
 */
public record Problem(
        String taskId,
        String prompt,
        String canonicalSolution,
        String test,
        String entryPoint,
        List<String> stopTokens,
        TaskFormat format,
        EvalLanguage language,
        Map<String, String> fields) {

    /** @throws IllegalArgumentException for a blank task id or a missing prompt (the message names the task) */
    public Problem {
        requireArgument(taskId != null && !taskId.isBlank(), "task id must not be blank, got '%s'", taskId);
        requireArgument(prompt != null, "problem %s has no prompt", taskId);
        requireArgument(test != null, "problem %s has no tests", taskId);
        requireArgument(
                !(format == TaskFormat.HUMAN_EVAL && (entryPoint == null || entryPoint.isBlank())),
                "problem %s has no entry_point",
                taskId);
        requireArgument(format != null && language != null, "problem %s needs a format and a language", taskId);
        stopTokens = stopTokens == null ? List.of() : List.copyOf(stopTokens);
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    /** A problem without extra fields. */
    public Problem(
            String taskId,
            String prompt,
            String canonicalSolution,
            String test,
            String entryPoint,
            List<String> stopTokens,
            TaskFormat format,
            EvalLanguage language) {
        this(taskId, prompt, canonicalSolution, test, entryPoint, stopTokens, format, language, Map.of());
    }

    /**
     * The complete test program for {@code completion}, assembled as the format's reference harness
     * does (for HumanEval-X, THUDM/CodeGeeX's {@code process_humaneval_test}; see {@link
     * HumanEvalX#program}).
     */
    public String program(String completion) {
        switch (format) {
            case HUMAN_EVAL:
                return prompt + completion + "\n" + test + "\n" + "check(" + entryPoint + ")";
            case HUMAN_EVAL_X:
                return HumanEvalX.program(this, completion);
            default:
                return prompt + completion + test;
        }
    }

    /**
     * Whether generation should stop structurally, when the braces opened by the prompt are closed:
     * for HumanEval-X in Java (method and class), C++ and JavaScript (the function). Not for Go and
     * Rust, where helper functions may follow the one asked for (seven canonical solutions do):
     * their completions end at the stop sequences.
     */
    public boolean stopsOnClosedBraces() {
        return format == TaskFormat.HUMAN_EVAL_X
                && (language == EvalLanguage.JAVA
                        || language == EvalLanguage.CPP
                        || language == EvalLanguage.JAVASCRIPT);
    }
}
