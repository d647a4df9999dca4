package dev.kiln.train.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation of a run's checkpoint, a line of the run's {@code evals.jsonl}: {@code llm eval
 * humaneval --model <checkpoint>} appends it (see {@link Runs#recordEval}).
 *
 * <pre>{@code
 * for (EvalResult e : Run.open(dir).evals()) {
 *     System.out.println(e.checkpoint() + " pass@1 " + e.passAt1());
 * }
 * }</pre>
 *
 * @param checkpoint the checkpoint directory evaluated (absolute)
 * @param step its step
 * @param benchmark {@code humaneval}, ...
 * @param language the problems' language
 * @param passAtK {@code pass@1}, {@code pass@10}, ... in [0, 1]
 * @param problems problems evaluated
 * @param samples samples executed
 * @param evalDir where the evaluation wrote its results and report
 * @param at when it was recorded
 */
public record EvalResult(
        Path checkpoint,
        long step,
        String benchmark,
        String language,
        Map<String, Double> passAtK,
        int problems,
        int samples,
        Path evalDir,
        Instant at) {

    /** Copies pass@k (null becomes empty), keeping its order. */
    public EvalResult {
        passAtK = passAtK == null ? Map.of() : new LinkedHashMap<>(passAtK);
    }

    /** pass@1, NaN when absent. */
    public double passAt1() {
        Double v = passAtK.get("pass@1");
        return v == null ? Double.NaN : v;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", checkpoint.toString());
        m.put("step", step);
        m.put("benchmark", benchmark);
        m.put("language", language);
        m.put("pass_at_k", passAtK);
        m.put("problems", problems);
        m.put("samples", samples);
        m.put("eval_dir", evalDir.toString());
        m.put("at", at.toString());
        return m;
    }

    static EvalResult fromJson(JsonNode n) {
        Map<String, Double> pass = new LinkedHashMap<>();
        n.path("pass_at_k")
                .fields()
                .forEachRemaining(e -> pass.put(e.getKey(), e.getValue().asDouble()));
        return new EvalResult(
                Path.of(n.path("checkpoint").asText()),
                n.path("step").asLong(),
                n.path("benchmark").asText(),
                n.path("language").asText(),
                pass,
                n.path("problems").asInt(),
                n.path("samples").asInt(),
                Path.of(n.path("eval_dir").asText()),
                Instant.parse(n.path("at").asText()));
    }

    private static CorruptArtifactException notARecord(Path file, int line, RuntimeException e) {
        return new CorruptArtifactException(file, "line " + line + " is not an evaluation record: " + e.getMessage());
    }

    /** The lines of an {@code evals.jsonl} (none when the file is absent). */
    static List<EvalResult> read(Path file) throws IOException {
        List<EvalResult> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonLines.read(
                    r,
                    (no, n) -> {
                        try {
                            if (!n.hasNonNull("checkpoint") || !n.hasNonNull("at")) {
                                throw new IllegalArgumentException("no checkpoint or time");
                            }
                            out.add(fromJson(n));
                        } catch (RuntimeException e) {
                            throw notARecord(file, no, e);
                        }
                    },
                    (no, line, e) -> {
                        throw notARecord(file, no, e);
                    });
        }
        return out;
    }
}
