package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The HumanEval problem sets: bundled copies of OpenAI's HumanEval (Python, MIT) and THUDM's
 * HumanEval-X in Java, C++, Go, JavaScript and Rust (Apache-2.0; licenses next to the data in the
 * jar), and a reader for files in the human-eval, HumanEval-X and MultiPL-E layouts.
 *
 * <pre>{@code
 * ProblemSet py = HumanEval.python();                  // 164 problems
 * ProblemSet java = HumanEval.java();                  // 164 problems
 * ProblemSet rust = HumanEval.of(EvalLanguage.RUST);   // 164 problems
 * ProblemSet mine = HumanEval.fromFile(Path.of("humaneval-java-multipl-e.jsonl"));
 * }</pre>
 */
public final class HumanEval {

    private static final String RESOURCES = "/dev/kiln/eval/";
    private static volatile ProblemSet python;
    private static volatile ProblemSet java;
    private static final java.util.Map<EvalLanguage, ProblemSet> OTHERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private HumanEval() {}

    /** OpenAI HumanEval: 164 Python problems. */
    public static ProblemSet python() {
        ProblemSet p = python;
        if (p == null) {
            p = python = resource("HumanEval.jsonl.gz");
        }
        return p;
    }

    /** HumanEval-X Java: 164 problems. */
    public static ProblemSet java() {
        ProblemSet p = java;
        if (p == null) {
            p = java = resource("humaneval_java.jsonl.gz");
        }
        return p;
    }

    /** The bundled set of {@code language}: 164 problems each. */
    public static ProblemSet of(EvalLanguage language) {
        switch (language) {
            case PYTHON:
                return python();
            case JAVA:
                return java();
            default:
                return OTHERS.computeIfAbsent(language, l -> resource("humaneval_" + l.id() + ".jsonl.gz"));
        }
    }

    private static ProblemSet resource(String name) {
        try (InputStream in = HumanEval.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("bundled resource " + name + " is missing from llm-eval's jar");
            }
            return read(name, new GZIPInputStream(in));
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read bundled " + name + ": " + e.getMessage(), e));
        }
    }

    /**
     * Reads a problem file ({@code .jsonl} or {@code .jsonl.gz}) in the human-eval, HumanEval-X or
     * MultiPL-E layout (detected per row).
     *
     * @throws CorruptArtifactException naming the file and line of a bad row
     */
    public static ProblemSet fromFile(Path file) throws IOException, CorruptArtifactException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return read(file.toString(), in);
        }
    }

    private static ProblemSet read(String name, InputStream in) throws IOException, CorruptArtifactException {
        List<Problem> problems = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        JsonLines.read(
                r,
                (lineNo, row) -> {
                    try {
                        problems.add(parse(row));
                    } catch (IllegalArgumentException e) {
                        throw new CorruptArtifactException(Path.of(name), "line " + lineNo + ": " + e.getMessage());
                    }
                },
                (lineNo, line, e) -> {
                    throw new CorruptArtifactException(
                            Path.of(name), "line " + lineNo + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
                });
        if (problems.isEmpty()) {
            throw new CorruptArtifactException(Path.of(name), "no problems in the file");
        }
        try {
            return new ProblemSet(name, problems);
        } catch (IllegalArgumentException e) {
            throw new CorruptArtifactException(Path.of(name), e.getMessage());
        }
    }

    /** One row of any supported layout. */
    static Problem parse(JsonNode row) {
        requireArgument(row.isObject(), "a problem must be a JSON object");
        if (row.has("name") && row.has("tests")) {
            String id = text(row, "name", true);
            EvalLanguage lang = EvalLanguage.parse(text(row, "language", true));
            List<String> stops = new ArrayList<>();
            JsonNode st = row.get("stop_tokens");
            if (st != null && st.isArray()) {
                st.forEach(s -> stops.add(s.asText()));
            }
            return new Problem(
                    id,
                    text(row, "prompt", true),
                    text(row, "canonical_solution", false),
                    text(row, "tests", true),
                    null,
                    stops,
                    TaskFormat.MULTIPL_E,
                    lang);
        }
        String id = text(row, "task_id", true);
        String prompt = text(row, "prompt", true);
        String test = text(row, "test", true);
        String canonical = text(row, "canonical_solution", false);
        int slash = id.indexOf('/');
        String prefix = slash < 0 ? "" : id.substring(0, slash);
        if (row.has("declaration") || prefix.equalsIgnoreCase("java")) {
            EvalLanguage lang = EvalLanguage.parse(prefix.isEmpty() ? "java" : prefix);
            List<String> stops = lang == EvalLanguage.PYTHON ? TaskFormat.HUMAN_EVAL_STOPS : HumanEvalX.stops(lang);
            java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
            if (lang == EvalLanguage.GO) {
                fields.put("import", text(row, "import", true));
                fields.put("test_setup", text(row, "test_setup", true));
            }
            return new Problem(
                    id,
                    HumanEvalX.prompt(lang, prompt, text(row, "declaration", false)),
                    canonical,
                    test,
                    text(row, "entry_point", false),
                    stops,
                    TaskFormat.HUMAN_EVAL_X,
                    lang,
                    fields);
        }
        return new Problem(
                id,
                prompt,
                canonical,
                test,
                text(row, "entry_point", true),
                TaskFormat.HUMAN_EVAL_STOPS,
                TaskFormat.HUMAN_EVAL,
                EvalLanguage.PYTHON);
    }

    private static String text(JsonNode row, String field, boolean required) {
        JsonNode n = row.get(field);
        if (n == null || n.isNull()) {
            requireArgument(!required, "missing field '%s'", field);
            return null;
        }
        requireArgument(n.isTextual(), "field '%s' must be a string, got %s", field, n.getNodeType());
        return n.asText();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
