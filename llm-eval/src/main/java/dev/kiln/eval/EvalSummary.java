package dev.kiln.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headline numbers of an evaluation, as in {@code summary.json}: {@code {"pass@1": 0.31,
 * "pass@10": ..., "n": 10, "problems": 164, "language": "python", "samples": 1640, ...}}.
 *
 * @param passAtK {@code pass@k} → value in [0, 1], for each requested k ≤ {@code n}
 * @param n the smallest number of samples of any evaluated problem
 * @param problems number of problems with at least one sample
 * @param language the language id
 * @param samples total samples
 * @param outcomes count of samples per outcome ({@code passed}, {@code failed}, {@code timed out},
 *     {@code compile error})
 * @param isolation the sandbox level the samples ran at ({@code full}, {@code namespaces}, {@code
 *     limits}, {@code none}), or empty when unknown
 * @param problemsInSet problems in the problem set; more than {@code problems} only for a partial
 *     run ({@code --allow-partial}), whose pass@k covers {@code problems / problemsInSet}
 * @param promptTooLong task ids whose prompt did not fit the model's context (not generated,
 *     counted as failed)
 */
public record EvalSummary(
        Map<String, Double> passAtK,
        int n,
        int problems,
        String language,
        int samples,
        Map<String, Integer> outcomes,
        String isolation,
        int problemsInSet,
        java.util.List<String> promptTooLong) {

    /** Copies the pass@k map into an unmodifiable one, keeping its order. */
    public EvalSummary {
        passAtK = Map.copyOf(new LinkedHashMap<>(passAtK));
        outcomes = outcomes == null ? Map.of() : new LinkedHashMap<>(outcomes);
        isolation = isolation == null ? "" : isolation;
        problemsInSet = Math.max(problemsInSet, problems);
        promptTooLong = promptTooLong == null ? java.util.List.of() : java.util.List.copyOf(promptTooLong);
    }

    /** A summary of a complete run without isolation or prompt records. */
    public EvalSummary(
            Map<String, Double> passAtK,
            int n,
            int problems,
            String language,
            int samples,
            Map<String, Integer> outcomes) {
        this(passAtK, n, problems, language, samples, outcomes, "", problems, java.util.List.of());
    }

    /** Whether some problems of the set had no samples (a {@code --allow-partial} run). */
    public boolean partial() {
        return problems < problemsInSet;
    }

    /** pass@1, or NaN when it was not computed. */
    public double passAt1() {
        Double v = passAtK.get("pass@1");
        return v == null ? Double.NaN : v;
    }

    /** The JSON shape of {@code summary.json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        passAtK.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(
                        (a, b) -> Integer.compare(Integer.parseInt(a.substring(5)), Integer.parseInt(b.substring(5)))))
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        m.put("n", n);
        m.put("problems", problems);
        m.put("language", language);
        m.put("samples", samples);
        m.put("outcomes", outcomes);
        if (!isolation.isEmpty()) {
            m.put("isolation", isolation);
        }
        m.put("problems_in_set", problemsInSet);
        if (partial()) {
            m.put("partial", true);
            m.put("coverage", (double) problems / problemsInSet);
        }
        if (!promptTooLong.isEmpty()) {
            m.put("prompt_too_long", promptTooLong);
        }
        return m;
    }

    /**
     * Reads a {@code summary.json} (Kiln's, or any JSON object with a numeric {@code pass@1}).
     *
     * @throws CorruptArtifactException when it is not such an object
     */
    public static EvalSummary read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.read(file);
        } catch (IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) {
                throw e;
            }
            throw new CorruptArtifactException(file, "not a JSON summary (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject() || !root.path("pass@1").isNumber()) {
            throw new CorruptArtifactException(file, "not an evaluation summary: it has no numeric \"pass@1\"");
        }
        Map<String, Double> p = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().matches("pass@\\d+") && e.getValue().isNumber()) {
                p.put(e.getKey(), e.getValue().asDouble());
            }
        }
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        root.path("outcomes")
                .fields()
                .forEachRemaining(e -> outcomes.put(e.getKey(), e.getValue().asInt()));
        return new EvalSummary(
                p,
                root.path("n").asInt(0),
                root.path("problems").asInt(0),
                root.path("language").asText(""),
                root.path("samples").asInt(0),
                outcomes,
                root.path("isolation").asText(""),
                root.path("problems_in_set").asInt(root.path("problems").asInt(0)),
                java.util.stream.StreamSupport.stream(
                                root.path("prompt_too_long").spliterator(), false)
                        .map(JsonNode::asText)
                        .toList());
    }
}
