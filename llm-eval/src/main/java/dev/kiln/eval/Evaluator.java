package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.Progress;
import dev.kiln.eval.exec.ExecOutcome;
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
 * <p>As human-eval, every problem of the set must have samples (pass@k over the attempted problems
 * alone would overstate a model that skipped the hard ones): otherwise the run is refused, unless
 * {@link Builder#optAllowPartial} is set, and then the summary records the coverage. pass@k is the
 * unbiased estimator ({@link PassAtK}) averaged over problems, for each k no larger than the
 * fewest samples of any problem. Samples whose row carries an {@code error} (e.g. a prompt longer
 * than the model's context, written so by {@link SampleGenerator}) are not executed and count as
 * failed. The sandbox is chosen by the isolation policy ({@link Sandbox#select}: the strongest
 * available unless {@link Builder#optIsolation} asks for another, refused below {@link
 * Builder#optMinIsolation}, {@code namespaces} by default) and its level is recorded in {@code
 * summary.json}, the manifest and the report.
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
    private final Sandbox.Isolation minIsolation;
    private final boolean allowPartial;

    private Evaluator(Builder b, Sandbox sandbox) {
        this.problems = b.problems;
        this.workers = b.workers;
        this.timeout = b.timeout;
        this.ks = List.copyOf(b.ks);
        this.sandbox = sandbox;
        this.minIsolation = b.minIsolation;
        this.allowPartial = b.allowPartial;
    }

    /** The sandbox samples run in (chosen by the isolation policy when the evaluator was built). */
    public Sandbox sandbox() {
        return sandbox;
    }

    /** A builder; {@link Builder#setProblems(ProblemSet)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The problems the samples are checked against. */
    public ProblemSet problems() {
        return problems;
    }

    /** The executor this evaluator uses for its language (the caller closes it). */
    public SampleExecutor newExecutor() {
        return Executors.forLanguage(problems.language(), workers, timeout, sandbox, minIsolation);
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
        requireArgument(!samples.isEmpty(), "there are no samples to evaluate");
        List<String> missing = missing(samples);
        if (!missing.isEmpty() && !allowPartial) {
            throw new IllegalArgumentException(missing.size() + " of " + problems.size() + " problems of "
                    + problems.name() + " have no samples ("
                    + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? ", ..." : "") + "); pass@k needs every problem attempted, as human-eval"
                    + " requires: generate the missing samples, evaluate fewer problems (--limit N or --problems FILE),"
                    + " or pass --allow-partial to report pass@k over the attempted problems with their coverage");
        }
    }

    /** Task ids of the set without any sample, in set order. */
    private List<String> missing(List<Sample> samples) {
        java.util.Set<String> have = new java.util.HashSet<>();
        for (Sample s : samples) {
            have.add(s.taskId());
        }
        List<String> out = new ArrayList<>();
        for (Problem p : problems.problems()) {
            if (!have.contains(p.taskId())) {
                out.add(p.taskId());
            }
        }
        return out;
    }

    /** The generation error a sample row carries ({@code "error"}), or null. */
    static String generationError(Sample s) {
        com.fasterxml.jackson.databind.JsonNode e = s.row().get("error");
        return e != null && e.isTextual() && !e.asText().isBlank() ? e.asText() : null;
    }

    /** Executes {@code samples} and writes the eval directory {@code outputDir}. */
    public EvalSummary evaluate(List<Sample> samples, Path outputDir) throws IOException {
        validate(samples);
        List<String> programs = new ArrayList<>(samples.size());
        List<Integer> runIndex = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (generationError(s) == null) {
                programs.add(problems.get(s.taskId()).program(s.completion()));
                runIndex.add(i);
            }
        }
        List<ExecOutcome> ran;
        try (SampleExecutor ex = newExecutor();
                Progress progress = Progress.builder()
                        .setTask("humaneval " + problems.language().id() + " (isolation "
                                + sandbox.isolation().id() + ")")
                        .optTotal(programs.size())
                        .optUnit("samples")
                        .build()) {
            ran = ex.executeAll(programs, i -> progress.advance(1));
        }
        List<ExecOutcome> outcomes = new ArrayList<>(samples.size());
        int next = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (next < runIndex.size() && runIndex.get(next) == i) {
                outcomes.add(ran.get(next++));
            } else {
                outcomes.add(ExecOutcome.failed("not generated: " + generationError(samples.get(i)), 0));
            }
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
        List<String> tooLong = new ArrayList<>();
        for (Sample s : samples) {
            String err = generationError(s);
            if (err != null && err.startsWith(SampleGenerator.PROMPT_TOO_LONG) && !tooLong.contains(s.taskId())) {
                tooLong.add(s.taskId());
            }
        }
        EvalSummary summary = new EvalSummary(
                passAtK,
                minN,
                perTask.size(),
                problems.language().id(),
                samples.size(),
                statusCounts,
                sandbox.isolation().id(),
                problems.size(),
                tooLong);
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
                                .optConfig("isolation", sandbox.isolation().id())
                                .optConfig("min_isolation", minIsolation.id())
                                .optConfig("allow_partial", allowPartial)
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
        private Sandbox.Isolation isolation;
        private Sandbox.Isolation minIsolation = Sandbox.Isolation.NAMESPACES;
        private boolean allowPartial;

        private Builder() {}

        /** The problems whose tests the samples run (required). */
        public Builder setProblems(ProblemSet problems) {
            this.problems = Checks.notNull(problems, "problems");
            return this;
        }

        /** Samples executed in parallel (default: the number of cores). */
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
            requireArgument(ks != null && !ks.isEmpty(), "k list must not be empty, got %s", ks);
            for (Integer k : ks) {
                requireArgument(k != null && k >= 1, "every k must be >= 1, got %s", ks);
            }
            this.ks = List.copyOf(ks);
            return this;
        }

        /** A sandbox of a given level (still checked against {@link #optMinIsolation}). */
        public Builder optSandbox(Sandbox sandbox) {
            this.sandbox = Checks.notNull(sandbox, "sandbox");
            return this;
        }

        /** The isolation level to run at (default: the strongest available here). */
        public Builder optIsolation(Sandbox.Isolation level) {
            this.isolation = Checks.notNull(level, "isolation");
            return this;
        }

        /** The weakest isolation accepted (default {@code namespaces}); below it the build fails. */
        public Builder optMinIsolation(Sandbox.Isolation minimum) {
            this.minIsolation = Checks.notNull(minimum, "minimum isolation");
            return this;
        }

        /**
         * Accept samples that do not cover every problem of the set: pass@k is then over the
         * attempted problems and {@code summary.json} records {@code "partial": true} and the
         * {@code coverage} (default false: such a run is refused, as human-eval does).
         */
        public Builder optAllowPartial(boolean allow) {
            this.allowPartial = allow;
            return this;
        }

        /**
         * @throws dev.kiln.core.KilnEnvironmentException when the isolation asked for is not
         *     available or is below the minimum
         */
        public Evaluator build() {
            if (problems == null) {
                throw new IllegalStateException("setProblems(...) is required");
            }
            Sandbox chosen;
            if (sandbox != null) {
                Sandbox.requireAtLeast(sandbox.isolation(), minIsolation);
                chosen = sandbox;
            } else {
                chosen = Sandbox.select(isolation, minIsolation);
            }
            return new Evaluator(this, chosen);
        }
    }
}
