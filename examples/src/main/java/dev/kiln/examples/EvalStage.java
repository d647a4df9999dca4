package dev.kiln.examples;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Evaluator;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.Sample;
import dev.kiln.eval.SampleGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The quickstart's evaluation: HumanEval-X Java and HumanEval Python completions of the trained model,
 * and the canonical solutions through the same harness as a self-check.
 */
final class EvalStage {

    private final Settings s;

    EvalStage(Settings s) {
        this.s = s;
    }

    Quickstart.StageResult eval(Path dir, Path ckpt, Map<String, Double> pass, Map<String, String> canonical)
            throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = true;
        StringBuilder detail = new StringBuilder();
        LanguageModel model = null;
        try {
            for (String lang : List.of("java", "python")) {
                ProblemSet set = lang.equals("java") ? HumanEval.java() : HumanEval.python();
                if (s.evalLimit() > 0) {
                    set = set.limit(s.evalLimit());
                }
                Path out = dir.resolve(lang);
                if (!Files.isRegularFile(out.resolve("summary.json"))) {
                    skipped = false;
                    if (model == null) {
                        model = LanguageModels.open(ckpt.toString(), Map.of("threads", String.valueOf(s.threads())));
                    }
                    s.say(
                            "eval: generating %d %s completions (greedy, %d tokens max)",
                            set.size(), lang, s.maxTokens());
                    List<Sample> samples = SampleGenerator.builder()
                            .setModel(model)
                            .setProblems(set)
                            .optMaxTokens(s.maxTokens())
                            .optBatchSize(16)
                            .build()
                            .generate(out.resolve("samples.jsonl"));
                    EvalSummary done = Evaluator.builder()
                            .setProblems(set)
                            .optKs(List.of(1))
                            .build()
                            .evaluate(samples, out);
                    // The train stage's run page lists the result beside the checkpoint.
                    dev.kiln.train.runs.Runs.recordEval(ckpt.toString(), out, "humaneval", done.toJson());
                }
                EvalSummary summary = EvalSummary.read(out.resolve("summary.json"));
                pass.put(lang, summary.passAt1());
                Path canon = dir.resolve("canonical-" + lang);
                if (!Files.isRegularFile(canon.resolve("summary.json"))) {
                    skipped = false;
                    s.say("eval: self-check, the %d canonical %s solutions through the same harness", set.size(), lang);
                    List<Sample> samples = new ArrayList<>();
                    for (Problem p : set.problems()) {
                        samples.add(Sample.of(p.taskId(), p.canonicalSolution()));
                    }
                    Evaluator.builder()
                            .setProblems(set)
                            .optKs(List.of(1))
                            .build()
                            .evaluate(samples, canon);
                }
                EvalSummary c = EvalSummary.read(canon.resolve("summary.json"));
                long ok = Math.round(c.passAt1() * c.problems());
                canonical.put(lang, ok + "/" + c.problems());
                detail.append(String.format(
                        Locale.ROOT,
                        "%s%-6s pass@1 %.3f over %d problems %s; canonical self-check %d/%d %s",
                        detail.length() == 0 ? "" : "\n",
                        lang,
                        summary.passAt1(),
                        summary.problems(),
                        kinds(summary),
                        ok,
                        c.problems(),
                        kinds(c)));
            }
        } finally {
            if (model != null) {
                model.close();
            }
        }
        detail.append("\npython report: ").append(dir.resolve("python/report.html"));
        return new Quickstart.StageResult(
                "eval", skipped, Settings.secondsSince(t0), detail.toString(), dir.resolve("java/report.html"));
    }

    /** The outcome counts that are not zero, e.g. {@code (compile error 150, failed 14)}. */
    private static String kinds(EvalSummary s) {
        String k = s.outcomes().entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return "(" + k + ")";
    }
}
