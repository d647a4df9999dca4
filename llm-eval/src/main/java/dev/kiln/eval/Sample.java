package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;

/**
 * One model completion for one problem: a row of a human-eval samples file ({@code {"task_id":
 * ..., "completion": ...}}). Other fields of the row are kept and copied to {@code results.jsonl}.
 *
 * @param taskId the problem
 * @param completion the generated code (without the prompt)
 * @param row the original JSON row
 * @param line 1-based line in the samples file (0 when not read from a file)
 */
public record Sample(String taskId, String completion, ObjectNode row, int line) {

    /** @throws IllegalArgumentException for a blank task id or a null completion */
    public Sample {
        requireArgument(taskId != null && !taskId.isBlank(), "task_id must not be blank, got '%s'", taskId);
        requireArgument(completion != null, "completion of %s must not be null", taskId);
        if (row == null) {
            row = Json.mapper().createObjectNode();
            row.put("task_id", taskId);
            row.put("completion", completion);
        }
    }

    /** A sample not read from a file. */
    public static Sample of(String taskId, String completion) {
        return new Sample(taskId, completion, null, 0);
    }
}
