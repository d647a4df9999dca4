package dev.kiln.data.decontam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * A named set of evaluation texts that training data must not contain (each text typically a
 * problem's prompt followed by its reference solution).
 *
 * <pre>{@code
 * EvalSet mine = EvalSet.fromJsonl("my-eval", Path.of("eval.jsonl"));   // prompt + canonical_solution
 * EvalSet py = EvalSet.humanEval();                                      // bundled, 164 problems
 * }</pre>
 *
 * @param name a short name, used as the drop reason ({@code decontaminate:humaneval})
 * @param texts the texts
 */
public record EvalSet(String name, List<String> texts) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Fields read from JSONL rows, concatenated in this order when present. */
    public static final List<String> FIELDS = List.of("prompt", "canonical_solution", "text", "content", "solution");

    /** @throws IllegalArgumentException for a blank name */
    public EvalSet {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an eval set needs a name, got '" + name + "'");
        }
        texts = List.copyOf(Objects.requireNonNull(texts, "texts"));
    }

    /** OpenAI HumanEval (Python), bundled: prompt + canonical solution of each of 164 problems. */
    public static EvalSet humanEval() {
        return fromResource("humaneval", "HumanEval.jsonl.gz");
    }

    /** HumanEval-X Java (from CodeGeeX), bundled: prompt + canonical solution of each of 164 problems. */
    public static EvalSet humanEvalJava() {
        return fromResource("humaneval-java", "humaneval_java.jsonl.gz");
    }

    private static EvalSet fromResource(String name, String resource) {
        try (InputStream in = EvalSet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the llm-data jar lacks dev/kiln/data/decontam/" + resource);
            }
            return read(name, new GZIPInputStream(in), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + resource, e);
        }
    }

    /**
     * Reads a JSONL (or {@code .jsonl.gz}) eval set; each row's {@code prompt}, {@code
     * canonical_solution}, {@code text}, {@code content} and {@code solution} fields (those present)
     * are joined into one text.
     */
    public static EvalSet fromJsonl(String name, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "eval set not found");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            return read(name, file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw, file.toString());
        }
    }

    private static EvalSet read(String name, InputStream in, String what) throws IOException {
        List<String> texts = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        JsonLines.read(
                r,
                (no, row) -> {
                    StringBuilder sb = new StringBuilder();
                    for (String f : FIELDS) {
                        JsonNode v = row.get(f);
                        if (v != null && v.isTextual()) {
                            sb.append(v.asText()).append('\n');
                        }
                    }
                    if (sb.length() == 0) {
                        throw new IllegalArgumentException(
                                what + " line " + no + ": none of the fields " + FIELDS + " is a string");
                    }
                    texts.add(sb.toString());
                },
                (no, text, e) -> {
                    throw new IllegalArgumentException(what + " line " + no + ": not JSON");
                });
        return new EvalSet(name, texts);
    }
}
