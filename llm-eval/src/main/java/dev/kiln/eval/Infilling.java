package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.eval.exec.ExecOutcome;
import dev.kiln.eval.exec.SampleExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HumanEval single-line infilling (as in InCoder / SantaCoder): every non-blank line of each
 * canonical solution is masked in turn; the model sees the text before it (prompt + earlier lines)
 * and after it (later lines) through its fill-in-the-middle template and must produce the line.
 * Scored by exact match (trailing whitespace ignored) and by executing the filled-in program
 * against the problem's tests.
 *
 * <pre>{@code
 * List<Infilling.Task> tasks = Infilling.singleLine(HumanEval.python());   // ~1000 tasks
 * try (LanguageModel m = LanguageModels.open("ckpt"); PythonExecutor py = PythonExecutor.builder().build()) {
 *     Infilling.Summary s = Infilling.evaluate(m, tasks, py, Path.of("out/infill"));
 *     System.out.println(s.exactMatch() + " " + s.passRate());
 * }
 * }</pre>
 */
public final class Infilling {

    private Infilling() {}

    /**
     * One infilling task.
     *
     * @param taskId {@code <problem id>/L<line index>}
     * @param problem the source problem
     * @param prefix text before the masked line (prompt + preceding solution lines)
     * @param suffix text after it (following solution lines)
     * @param middle the masked line, with its newline
     */
    public record Task(String taskId, Problem problem, String prefix, String suffix, String middle) {

        /** The test program with {@code fill} in place of the masked line. */
        public String program(String fill) {
            String solution = prefix.substring(problem.prompt().length()) + fill + suffix;
            return problem.program(solution);
        }
    }

    /**
     * Scores of an infilling run.
     *
     * @param tasks number of tasks
     * @param exactMatch fraction whose line matched exactly (trailing whitespace ignored)
     * @param passRate fraction whose filled-in program passed the tests
     */
    public record Summary(int tasks, double exactMatch, double passRate) {
        /** The result as a JSON object, one line of the infilling report. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tasks", tasks);
            m.put("exact_match", exactMatch);
            m.put("pass", passRate);
            return m;
        }
    }

    /** The single-line tasks of {@code set} (problems without a canonical solution are skipped). */
    public static List<Task> singleLine(ProblemSet set) {
        List<Task> out = new ArrayList<>();
        for (Problem p : set.problems()) {
            String sol = p.canonicalSolution();
            if (sol == null) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            int start = 0;
            while (start < sol.length()) {
                int nl = sol.indexOf('\n', start);
                int end = nl < 0 ? sol.length() : nl + 1;
                lines.add(sol.substring(start, end));
                start = end;
            }
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                String before = String.join("", lines.subList(0, i));
                String after = String.join("", lines.subList(i + 1, lines.size()));
                String middle = lines.get(i).endsWith("\n") ? lines.get(i) : lines.get(i) + "\n";
                out.add(new Task(p.taskId() + "/L" + i, p, p.prompt() + before, after, middle));
            }
        }
        return out;
    }

    /** Generates one line per task (greedy, stops at the newline), executes, scores, writes {@code outputDir}. */
    public static Summary evaluate(LanguageModel model, List<Task> tasks, SampleExecutor executor, Path outputDir)
            throws IOException {
        requireArgument(!tasks.isEmpty(), "there are no infilling tasks");
        List<String> fills = new ArrayList<>(tasks.size());
        for (Task t : tasks) {
            String text = model.generate(GenerationRequest.builder()
                            .setPrompt(t.prefix())
                            .optSuffix(t.suffix())
                            .optMaxTokens(128)
                            .optStop(List.of("\n"))
                            .build())
                    .collect()
                    .text();
            int nl = text.indexOf('\n');
            fills.add((nl < 0 ? text : text.substring(0, nl)) + "\n");
        }
        List<String> programs = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            programs.add(tasks.get(i).program(fills.get(i)));
        }
        List<ExecOutcome> outcomes = executor.executeAll(programs);
        int exact = 0;
        int passed = 0;
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            boolean em = fills.get(i).stripTrailing().equals(t.middle().stripTrailing());
            exact += em ? 1 : 0;
            passed += outcomes.get(i).passed() ? 1 : 0;
            ObjectNode row = Json.mapper().createObjectNode();
            row.put("task_id", t.taskId());
            row.put("middle", t.middle());
            row.put("completion", fills.get(i));
            row.put("exact_match", em);
            row.put("passed", outcomes.get(i).passed());
            row.put("result", outcomes.get(i).result());
            rows.append(Json.toLine(row)).append('\n');
        }
        Summary s = new Summary(tasks.size(), exact / (double) tasks.size(), passed / (double) tasks.size());
        Files.createDirectories(outputDir);
        AtomicFiles.writeString(outputDir.resolve("infill-results.jsonl"), rows.toString());
        Json.write(outputDir.resolve("infill-summary.json"), s.toJson());
        return s;
    }
}
