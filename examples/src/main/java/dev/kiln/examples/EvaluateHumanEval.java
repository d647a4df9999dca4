package dev.kiln.examples;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Evaluator;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.Sample;
import dev.kiln.eval.SampleGenerator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Evaluates any OpenAI-compatible completions endpoint (Kiln's {@code llm serve}, vLLM, TGI,
 * llama.cpp ...) on HumanEval (Python) or HumanEval-X (Java): generates samples over HTTP,
 * executes them in the sandbox and writes results.jsonl, summary.json and report.html.
 *
 * <pre>
 * java -cp 'examples/target/kiln-cli.jar:examples/target/lib/*' dev.kiln.examples.EvaluateHumanEval \
 *     http://127.0.0.1:8000/v1 java eval-out [MODEL_NAME] [LIMIT]
 * </pre>
 *
 * The API key, if the server needs one, comes from {@code $OPENAI_API_KEY}.
 */
public final class EvaluateHumanEval {

    private EvaluateHumanEval() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: EvaluateHumanEval URL python|java OUTPUT_DIR [MODEL] [LIMIT]");
            System.exit(2);
        }
        String url = args[0];
        ProblemSet problems = args[1].equals("java") ? HumanEval.java() : HumanEval.python();
        Path output = Path.of(args[2]);
        Map<String, String> options = args.length > 3 && !args[3].isEmpty() ? Map.of("model", args[3]) : Map.of();
        if (args.length > 4) {
            problems = problems.limit(Integer.parseInt(args[4]));
        }

        try (LanguageModel model = LanguageModels.open(url, options)) {
            List<Sample> samples = SampleGenerator.builder()
                    .setModel(model)
                    .setProblems(problems)
                    .optSamplesPerProblem(1)
                    .optTemperature(0) // greedy: pass@1
                    .optMaxTokens(256)
                    .optBatchSize(8) // concurrent requests
                    .build()
                    .generate(output.resolve("samples.jsonl")); // resumes an interrupted run
            EvalSummary summary = Evaluator.builder()
                    .setProblems(problems)
                    .optKs(List.of(1))
                    .build()
                    .evaluate(samples, output);
            System.out.printf(
                    "%s on %s: pass@1 %.3f over %d problems %s%nreport: %s%n",
                    model.id(),
                    problems.name(),
                    summary.passAt1(),
                    summary.problems(),
                    summary.outcomes(),
                    output.resolve("report.html"));
        }
    }
}
