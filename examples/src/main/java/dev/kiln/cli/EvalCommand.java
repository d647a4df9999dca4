package dev.kiln.cli;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.eval.EvalLanguage;
import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Evaluator;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Infilling;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.RegressionGate;
import dev.kiln.eval.Sample;
import dev.kiln.eval.SampleGenerator;
import dev.kiln.eval.Samples;
import dev.kiln.eval.exec.PythonExecutor;
import dev.kiln.eval.exec.Sandbox;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm eval}: judge models. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate models on benchmarks.",
        subcommands = {EvalCommand.HumanEvalCommand.class, EvalCommand.InfillCommand.class})
final class EvalCommand extends CommandGroup {

    /**
     * {@code llm eval humaneval}: execute a samples file, or generate samples with a model and
     * execute them; optionally gate on a baseline.
     */
    @Command(
            name = "humaneval",
            mixinStandardHelpOptions = true,
            description = {
                "HumanEval (Python) / HumanEval-X (Java, C++, Go, JavaScript, Rust): sandboxed execution and"
                        + " unbiased pass@k.",
                "Execute only:  llm eval humaneval --samples samples.jsonl --output DIR [--problems FILE]",
                "Generate+run:  llm eval humaneval --language rust --model DIR|URL --n 10 --temperature 0.8 --output DIR",
                "Every problem of the set needs samples (else refused; --allow-partial reports coverage).",
                "Isolation: the strongest available (full as root, namespaces without root), refused below"
                        + " --min-isolation (default namespaces)."
            })
    static final class HumanEvalCommand extends Subcommand {

        @Option(
                names = "--problems",
                description =
                        "Problem file (.jsonl or .jsonl.gz; human-eval, HumanEval-X or MultiPL-E). Default: the bundled set of --language.")
        Path problems;

        @Option(names = "--samples", description = "Samples JSONL ({task_id, completion}) to execute.")
        Path samples;

        @Option(
                names = "--output",
                required = true,
                description = "Output directory (samples.jsonl, results.jsonl, summary.json, report.html).")
        Path output;

        @Option(
                names = "--language",
                description = "python, java, cpp, go, js or rust (default: from --problems or the samples' task ids,"
                        + " else python).")
        String language;

        @Option(
                names = "--model",
                description = "Model to generate with: a checkpoint directory or an http(s):// OpenAI-compatible URL.")
        String model;

        @Option(names = "--n", defaultValue = "1", description = "Samples per problem (default ${DEFAULT-VALUE}).")
        int n;

        @Option(
                names = "--temperature",
                defaultValue = "0",
                description = "Sampling temperature (default ${DEFAULT-VALUE}: greedy).")
        double temperature;

        @Option(
                names = "--top-p",
                defaultValue = "0.95",
                description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
        double topP;

        @Option(
                names = "--max-tokens",
                defaultValue = "512",
                description = "Maximum tokens per completion (default ${DEFAULT-VALUE}).")
        int maxTokens;

        @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--batch-size",
                defaultValue = "16",
                description = "Sequences decoded together / concurrent requests (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--limit", description = "Only the first N problems (quick runs).")
        Integer limit;

        @Option(names = "--generate-only", description = "Write samples.jsonl and stop.")
        boolean generateOnly;

        @Option(
                names = "--timeout",
                description = "Per-sample timeout in seconds (default 3 for Python, 10 for a Java run, 5 for the"
                        + " C++, Go, JavaScript and Rust runs; compiles have their own budget).")
        Double timeout;

        @Option(
                names = "--isolation",
                description = "Sandbox level: full, namespaces, limits or none (default: the strongest available).")
        String isolation;

        @Option(
                names = "--min-isolation",
                defaultValue = "namespaces",
                description = "Refuse to run below this level (default ${DEFAULT-VALUE}); e.g. --min-isolation none"
                        + " on a machine without user namespaces.")
        String minIsolation;

        @Option(
                names = "--allow-partial",
                description = "Evaluate even when some problems of the set have no samples: pass@k over the"
                        + " attempted ones, with the coverage in summary.json and the report.")
        boolean allowPartial;

        @Option(names = "--workers", description = "Parallel samples (default: cores).")
        Integer workers;

        @CommandLine.Mixin
        DeviceOption device;

        @Option(
                names = "--k",
                split = ",",
                defaultValue = "1,10,100",
                description =
                        "k of pass@k (default ${DEFAULT-VALUE}); those above the samples per problem are skipped.")
        List<Integer> ks;

        @Option(
                names = "--baseline",
                description = "A baseline summary.json: exit 3 when pass@1 dropped by more than --max-drop.")
        Path baseline;

        @Option(
                names = "--max-drop",
                defaultValue = "0.02",
                description = "Allowed absolute pass@1 drop vs --baseline (default ${DEFAULT-VALUE}).")
        double maxDrop;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = out();
            if (samples == null && model == null) {
                throw new IllegalArgumentException("give --samples FILE to execute, or --model DIR|URL to generate");
            }
            if (samples != null && model != null) {
                throw new IllegalArgumentException("give either --samples or --model, not both");
            }
            List<Sample> rows = samples != null ? Samples.read(samples) : null;
            ProblemSet set = problemSet(rows);
            if (limit != null) {
                set = set.limit(limit);
            }
            Evaluator.Builder ev = Evaluator.builder()
                    .setProblems(set)
                    .optKs(ks)
                    .optMinIsolation(Sandbox.Isolation.parse(minIsolation))
                    .optAllowPartial(allowPartial);
            if (isolation != null) {
                ev.optIsolation(Sandbox.Isolation.parse(isolation));
            }
            if (workers != null) {
                ev.optWorkers(workers);
            }
            if (timeout != null) {
                ev.optTimeout(Duration.ofMillis(Math.round(timeout * 1000)));
            }
            // The isolation policy is applied before anything is generated or run.
            Evaluator evaluator = generateOnly ? null : ev.build();
            if (evaluator != null) {
                out.println("isolation: " + evaluator.sandbox().isolation().id() + " ("
                        + evaluator.sandbox().description() + ")");
                out.flush();
                if (rows != null) {
                    evaluator.validate(rows);
                }
            }
            if (model != null) {
                Path file = output.resolve("samples.jsonl");
                List<String> tooLong;
                try (LanguageModel m = LanguageModels.open(model, device.options())) {
                    SampleGenerator gen = SampleGenerator.builder()
                            .setModel(m)
                            .setProblems(set)
                            .optSamplesPerProblem(n)
                            .optTemperature(temperature)
                            .optTopP(topP)
                            .optMaxTokens(maxTokens)
                            .optSeed(seed)
                            .optBatchSize(batchSize)
                            .build();
                    rows = gen.generate(file);
                    tooLong = gen.promptTooLong();
                }
                out.println("samples: " + file + " (" + rows.size() + ")");
                if (!tooLong.isEmpty()) {
                    out.println("prompt longer than the model's context, not generated (counted as failed): "
                            + String.join(", ", tooLong));
                }
                if (generateOnly) {
                    out.flush();
                    return 0;
                }
            }
            EvalSummary summary = evaluator.evaluate(rows, output);
            out.println(dev.kiln.core.io.Json.toLine(summary.toJson()));
            out.println("wrote " + output.resolve("results.jsonl") + ", summary.json, report.html");
            dev.kiln.train.runs.Runs.recordEval(model, output, "humaneval", summary.toJson())
                    .ifPresent(run -> out.println("recorded in run " + run.resolve("report.html")));
            int code = 0;
            if (baseline != null) {
                RegressionGate.Verdict v = RegressionGate.check(summary, baseline, maxDrop);
                out.println(v.message());
                code = v.passed() ? 0 : 3;
            }
            out.flush();
            return code;
        }

        private ProblemSet problemSet(List<Sample> rows) throws java.io.IOException {
            if (problems != null) {
                ProblemSet set = HumanEval.fromFile(problems);
                if (language != null && EvalLanguage.parse(language) != set.language()) {
                    throw new IllegalArgumentException("--language " + language + " but " + problems + " holds "
                            + set.language().id() + " problems");
                }
                return set;
            }
            if (language != null) {
                return HumanEval.of(EvalLanguage.parse(language));
            }
            if (rows != null && !rows.isEmpty()) {
                String id = rows.get(0).taskId();
                int slash = id.indexOf('/');
                if (slash > 0 && !id.startsWith("HumanEval/")) {
                    try {
                        return HumanEval.of(EvalLanguage.parse(id.substring(0, slash)));
                    } catch (IllegalArgumentException e) {
                        // not a HumanEval-X prefix: the Python set reports the unknown ids
                    }
                }
            }
            return HumanEval.python();
        }
    }

    /** {@code llm eval humaneval-infill}: single-line fill-in-the-middle on HumanEval's solutions. */
    @Command(
            name = "humaneval-infill",
            mixinStandardHelpOptions = true,
            description =
                    "HumanEval single-line infilling through the model's FIM template: exact match and execution.")
    static final class InfillCommand extends Subcommand {

        @Option(
                names = "--model",
                required = true,
                description = "Checkpoint directory or http(s):// OpenAI-compatible URL (with FIM).")
        String model;

        @Option(
                names = "--output",
                required = true,
                description = "Output directory (infill-results.jsonl, infill-summary.json).")
        Path output;

        @Option(names = "--limit", description = "Only the first N problems.")
        Integer limit;

        @Option(names = "--workers", description = "Parallel samples (default: cores).")
        Integer workers;

        @CommandLine.Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            ProblemSet set =
                    limit == null ? HumanEval.python() : HumanEval.python().limit(limit);
            PythonExecutor.Builder py = PythonExecutor.builder();
            if (workers != null) {
                py.optWorkers(workers);
            }
            try (LanguageModel m = LanguageModels.open(model, device.options());
                    PythonExecutor ex = py.build()) {
                Infilling.Summary s = Infilling.evaluate(m, Infilling.singleLine(set), ex, output);
                out().println(dev.kiln.core.io.Json.toLine(s.toJson()));
            }
            out().flush();
            return 0;
        }
    }
}
