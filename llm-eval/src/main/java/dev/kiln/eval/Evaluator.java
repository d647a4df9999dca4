package dev.kiln.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.Progress;
import dev.kiln.eval.exec.ExecOutcome;
import dev.kiln.eval.exec.JavaExecutor;
import dev.kiln.eval.exec.PythonExecutor;
import dev.kiln.eval.exec.SampleExecutor;
import dev.kiln.eval.exec.Sandbox;
import dev.kiln.eval.exec.internal.Checks;
import dev.kiln.eval.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes samples against a problem set and writes an eval directory: {@code results.jsonl}
 * (human-eval's {@code _results.jsonl} shape: each input row, in input order, plus {@code passed}
 * and {@code result}), {@code summary.json}, {@code report.html} and {@code manifest.json}.
 *
 * <pre>{@code
 * EvalSummary s = Evaluator.builder()
 *         .setProblems(HumanEval.python())
 *         .optWorkers(4)
 *         .optKs(List.of(1, 10, 100))
 *         .build()
 *         .evaluate(Samples.read(Path.of("samples.jsonl")), Path.of("eval-out"));
 * System.out.println(s.passAt1());
 * }</pre>
 */
public final class Evaluator {

    /** human-eval's default k values. */
    public static final List<Integer> DEFAULT_KS = List.of(1, 10, 100);

    private final ProblemSet problems;
    private final int workers;
    private final Duration timeout;
    private final List<Integer> ks;
    private final Sandbox sandbox;

    private Evaluator(Builder b) {
        this.problems = b.problems;
        this.workers = b.workers;
        this.timeout = b.timeout;
        this.ks = List.copyOf(b.ks);
        this.sandbox = b.sandbox;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ProblemSet problems() {
        return problems;
    }

    /** The executor this evaluator uses for its language (the caller closes it). */
    public SampleExecutor newExecutor() {
        if (problems.language() == EvalLanguage.JAVA) {
            JavaExecutor.Builder b = JavaExecutor.builder().optWorkers(workers);
            if (timeout != null) {
                b.optTimeout(timeout);
            }
            if (sandbox != null) {
                b.optSandbox(sandbox);
            }
            return b.build();
        }
        PythonExecutor.Builder b = PythonExecutor.builder().optWorkers(workers);
        if (timeout != null) {
            b.optTimeout(timeout);
        }
        if (sandbox != null) {
            b.optSandbox(sandbox);
        }
        return b.build();
    }

    /**
     * Checks that every sample names a problem of the set.
     *
     * @throws IllegalArgumentException listing unknown task ids with their lines
     */
    public void validate(List<Sample> samples) {
        List<String> unknown = new ArrayList<>();
        int count = 0;
        for (Sample s : samples) {
            if (problems.find(s.taskId()).isEmpty()) {
                count++;
                if (unknown.size() < 5) {
                    unknown.add("'" + s.taskId() + "'" + (s.line() > 0 ? " (line " + s.line() + ")" : ""));
                }
            }
        }
        if (count > 0) {
            throw new IllegalArgumentException(count + " sample" + (count == 1 ? " has a task id" : "s have task ids")
                    + " not in problem set " + problems.name() + ": " + String.join(", ", unknown)
                    + (count > unknown.size() ? ", ..." : "")
                    + (problems.language() == EvalLanguage.PYTHON ? " (use --language java for Java/N ids)" : ""));
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("there are no samples to evaluate");
        }
    }

    /** Executes {@code samples} and writes the eval directory {@code outputDir}. */
    public EvalSummary evaluate(List<Sample> samples, Path outputDir) throws IOException {
        validate(samples);
        List<String> programs = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            programs.add(problems.get(s.taskId()).program(s.completion()));
        }
        List<ExecOutcome> outcomes;
        try (SampleExecutor ex = newExecutor();
                Progress progress = Progress.builder()
                        .setTask("humaneval " + problems.language().id())
                        .optTotal(samples.size())
                        .optUnit("samples")
                        .build()) {
            outcomes = ex.executeAll(programs, i -> progress.advance(1));
        }
        return write(samples, outcomes, outputDir);
    }

    /** Computes metrics for already executed samples and writes the eval directory. */
    public EvalSummary write(List<Sample> samples, List<ExecOutcome> outcomes, Path outputDir) throws IOException {
        if (samples.size() != outcomes.size()) {
            throw new IllegalArgumentException(samples.size() + " samples but " + outcomes.size() + " outcomes");
        }
        Files.createDirectories(outputDir);
        Map<String, int[]> perTask = new LinkedHashMap<>(); // task -> {n, c}
        Map<String, Integer> statusCounts = new LinkedHashMap<>();
        for (String k : List.of("passed", "failed", "timed out", "compile error")) {
            statusCounts.put(k, 0);
        }
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            ExecOutcome o = outcomes.get(i);
            int[] nc = perTask.computeIfAbsent(s.taskId(), k -> new int[2]);
            nc[0]++;
            if (o.passed()) {
                nc[1]++;
            }
            String kind = kind(o);
            statusCounts.merge(kind, 1, Integer::sum);
            ObjectNode row = s.row().deepCopy();
            row.put("result", o.result());
            row.put("passed", o.passed());
            results.append(Json.toLine(row)).append('\n');
        }
        AtomicFiles.writeString(outputDir.resolve("results.jsonl"), results.toString());
        int minN = perTask.values().stream().mapToInt(a -> a[0]).min().orElse(0);
        Map<String, Double> passAtK = new LinkedHashMap<>();
        for (int k : ks) {
            if (k <= minN) {
                double sum = 0;
                for (int[] nc : perTask.values()) {
                    sum += PassAtK.estimate(nc[0], nc[1], k);
                }
                passAtK.put("pass@" + k, sum / perTask.size());
            }
        }
        EvalSummary summary = new EvalSummary(
                passAtK, minN, perTask.size(), problems.language().id(), samples.size(), statusCounts);
        Json.write(outputDir.resolve("summary.json"), summary.toJson());
        AtomicFiles.writeString(
                outputDir.resolve("report.html"), HtmlReport.render(problems, samples, outcomes, summary));
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("samples", (long) samples.size());
        counts.put("problems", (long) perTask.size());
        counts.put("passed", (long) statusCounts.get("passed"));
        new Manifest(
                        "eval",
                        1,
                        counts,
                        Provenance.builder()
                                .setKind("eval")
                                .optInput(problems.name())
                                .optConfig("language", problems.language().id())
                                .optConfig("workers", workers)
                                .optConfig("timeout_ms", timeout == null ? null : timeout.toMillis())
                                .optConfig("ks", ks)
                                .optConfig(
                                        "sandbox",
                                        (sandbox == null ? Sandbox.detect() : sandbox)
                                                .isolation()
                                                .name())
                                .build(),
                        Map.of("summary", summary.toJson()))
                .write(outputDir);
        return summary;
    }

    /** The outcome's kind: passed, failed, timed out, compile error. */
    static String kind(ExecOutcome o) {
        String r = o.result();
        int colon = r.indexOf(':');
        return colon < 0 ? r : r.substring(0, colon);
    }

    /** Builder; values are checked when set. */
    public static final class Builder {
        private ProblemSet problems;
        private int workers = Runtime.getRuntime().availableProcessors();
        private Duration timeout;
        private List<Integer> ks = DEFAULT_KS;
        private Sandbox sandbox;

        private Builder() {}

        public Builder setProblems(ProblemSet problems) {
            this.problems = Checks.notNull(problems, "problems");
            return this;
        }

        public Builder optWorkers(int workers) {
            this.workers = Checks.workers(workers);
            return this;
        }

        /** Per-sample timeout (default: 3 s for Python, 10 s for a Java run). */
        public Builder optTimeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return this;
        }

        /** The k of pass@k (default 1, 10, 100); those above the samples per problem are skipped. */
        public Builder optKs(List<Integer> ks) {
            if (ks == null || ks.isEmpty()) {
                throw new IllegalArgumentException("k list must not be empty, got " + ks);
            }
            for (Integer k : ks) {
                if (k == null || k < 1) {
                    throw new IllegalArgumentException("every k must be >= 1, got " + ks);
                }
            }
            this.ks = List.copyOf(ks);
            return this;
        }

        public Builder optSandbox(Sandbox sandbox) {
            this.sandbox = Checks.notNull(sandbox, "sandbox");
            return this;
        }

        public Evaluator build() {
            if (problems == null) {
                throw new IllegalStateException("setProblems(...) is required");
            }
            return new Evaluator(this);
        }
    }
}
