package dev.kiln.data.decontam;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code decontaminate} stage for recipes:
 *
 * <pre>{@code
 * - decontaminate: {n: 13, min-matches: 3, humaneval: true, eval-sets: [evals/mbpp.jsonl]}
 * }</pre>
 *
 * {@code eval-sets} are JSONL files (see {@link EvalSet#fromJsonl}), each named by its file name.
 */
public final class DecontaminateProvider implements StageProvider {

    @Override
    public String name() {
        return "decontaminate";
    }

    @Override
    public String description() {
        return "drop documents sharing 13-word n-grams with HumanEval / HumanEval-X (or your eval sets)";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(name(), options, "n", "min-matches", "humaneval", "eval-sets");
        Decontaminator.Builder b =
                Decontaminator.builder().optN(o.getInt("n", 13)).optMinMatches(o.getInt("min-matches", 3));
        if (o.getBoolean("humaneval", true)) {
            b.addEvalSet(EvalSet.humanEval()).addEvalSet(EvalSet.humanEvalJava());
        }
        List<String> files = o.getStringList("eval-sets", List.of());
        for (String f : files) {
            Path p = Path.of(f);
            String name = p.getFileName().toString().replaceAll("\\.jsonl(\\.gz)?$", "");
            try {
                b.addEvalSet(EvalSet.fromJsonl(name, p));
            } catch (IOException e) {
                throw new UncheckedIOException("stage 'decontaminate': cannot read eval set " + p, e);
            }
        }
        if (!o.getBoolean("humaneval", true) && files.isEmpty()) {
            throw new IllegalArgumentException(
                    "stage 'decontaminate': humaneval is false and no eval-sets are given: nothing to check against");
        }
        return b.build();
    }
}
