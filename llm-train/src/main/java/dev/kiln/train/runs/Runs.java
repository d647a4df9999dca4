package dev.kiln.train.runs;

import dev.kiln.core.io.Json;
import dev.kiln.train.ckpt.Checkpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs on disk: find them under a folder ({@code llm runs list}), print them as a table, and record
 * an evaluation against the run that owns a checkpoint ({@code llm eval humaneval --model
 * CHECKPOINT} does, so the run page lists the result beside the checkpoint).
 *
 * <pre>{@code
 * List<Run> runs = Runs.find(Path.of("runs"));
 * System.out.print(Runs.table(runs, Path.of("runs")));
 * }</pre>
 */
public final class Runs {

    /** How deep {@link #find} looks below the folder given. */
    public static final int MAX_DEPTH = 4;

    private Runs() {}

    /**
     * Every run directory at or below {@code root} (up to {@link #MAX_DEPTH} levels; a run's own
     * subfolders are not searched), sorted by path.
     *
     * @throws NoSuchFileException when {@code root} is not a directory
     */
    public static List<Run> find(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "no such folder to look for runs in");
        }
        List<Run> out = new ArrayList<>();
        Deque<Path> todo = new ArrayDeque<>();
        Deque<Integer> depth = new ArrayDeque<>();
        todo.add(root);
        depth.add(0);
        while (!todo.isEmpty()) {
            Path d = todo.poll();
            int level = depth.poll();
            if (Run.isRun(d)) {
                out.add(Run.open(d));
                continue;
            }
            if (level >= MAX_DEPTH) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                for (Path c : s.sorted().toList()) {
                    if (Files.isDirectory(c)
                            && Checkpoints.stepOf(c) < 0
                            && !c.getFileName().toString().startsWith(".")) {
                        todo.add(c);
                        depth.add(level + 1);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(r -> r.dir().toString()));
        return out;
    }

    /** A plain-text table of runs: path (relative to {@code root}), status, steps, tokens, losses, pass@1, update time. */
    public static String table(List<Run> runs, Path root) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "run", "status", "step", "tokens", "train loss", "val loss", "best val", "pass@1", "updated"
        });
        for (Run r : runs) {
            RunHistory h = r.history();
            long step = h.lastStep();
            String rel;
            try {
                rel = root.toAbsolutePath()
                        .normalize()
                        .relativize(r.dir().toAbsolutePath().normalize())
                        .toString();
            } catch (IllegalArgumentException e) {
                rel = r.dir().toString();
            }
            double best = r.evals().stream()
                    .mapToDouble(EvalResult::passAt1)
                    .filter(Double::isFinite)
                    .max()
                    .orElse(Double.NaN);
            rows.add(new String[] {
                rel.isEmpty() ? "." : rel,
                r.status(),
                step + (r.maxSteps() > 0 ? "/" + r.maxSteps() : ""),
                r.tokensPerStep() > 0 ? Html.count(step * r.tokensPerStep()) : "-",
                fmt(h.series("loss").last()),
                fmt(h.series("val_loss").last()),
                fmt(h.series("val_loss").min()),
                Double.isFinite(best) ? String.format(Locale.ROOT, "%.1f%%", best * 100) : "-",
                r.updatedAt().truncatedTo(ChronoUnit.SECONDS).toString()
            });
        }
        int[] w = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                boolean left = i == 0 || i == 1 || i == row.length - 1;
                String pad = " ".repeat(w[i] - row[i].length());
                sb.append(left ? row[i] + pad : pad + row[i]).append(i == row.length - 1 ? "\n" : "  ");
            }
        }
        return sb.toString().replaceAll(" +\n", "\n");
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "-";
    }

    /**
     * Records an evaluation of {@code model} in the run that wrote it, when {@code model} is a
     * local Kiln checkpoint (a {@code step-NNNNNN} directory, or a checkpoint folder whose {@code
     * latest} names one) inside a run directory: appends a line to the run's {@code evals.jsonl}
     * and re-renders its {@code report.html}. Anything else (an HF directory, a URL) is left alone.
     *
     * @param model what {@code --model} named
     * @param evalDir where the evaluation wrote {@code summary.json} and its report
     * @param benchmark {@code humaneval}, ...
     * @param summary the evaluation's {@code summary.json} shape ({@code pass@k}, {@code problems},
     *     {@code samples}, {@code language})
     * @return the run directory updated, if any
     */
    public static Optional<Path> recordEval(String model, Path evalDir, String benchmark, Map<String, Object> summary)
            throws IOException {
        if (model == null || model.contains("://")) {
            return Optional.empty();
        }
        Path p = Path.of(model).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            return Optional.empty();
        }
        if (Checkpoints.stepOf(p) < 0) {
            Optional<Path> latest = Checkpoints.latest(p);
            if (latest.isEmpty()) {
                return Optional.empty();
            }
            p = latest.get().toAbsolutePath().normalize();
        }
        Path folder = p.getParent();
        Path runDir = folder == null ? null : folder.getParent();
        if (runDir == null || !Run.isRun(runDir)) {
            return Optional.empty();
        }
        Map<String, Double> pass = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : summary.entrySet()) {
            if (e.getKey().startsWith("pass@") && e.getValue() instanceof Number n) {
                pass.put(e.getKey(), n.doubleValue());
            }
        }
        EvalResult r = new EvalResult(
                p,
                Checkpoints.stepOf(p),
                benchmark,
                String.valueOf(summary.getOrDefault("language", "")),
                pass,
                summary.get("problems") instanceof Number n ? n.intValue() : 0,
                summary.get("samples") instanceof Number n ? n.intValue() : 0,
                evalDir.toAbsolutePath().normalize(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Files.writeString(
                runDir.resolve(Run.EVALS),
                Json.toLine(r.toMap()) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        RunReport.write(Run.open(runDir));
        return Optional.of(runDir);
    }
}
