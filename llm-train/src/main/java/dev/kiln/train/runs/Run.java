package dev.kiln.train.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.metrics.RunInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A training run read from its directory: {@code run.json} (configuration, device, precision,
 * provenance), {@code metrics.jsonl} (the curves), the checkpoint folder and {@code evals.jsonl}
 * (HumanEval results of its checkpoints). What the run page, {@code llm runs list} and {@code llm
 * runs compare} read.
 *
 * <pre>{@code
 * Run run = Run.open(Path.of("runs/tiny"));
 * System.out.println(run.history().series("val_loss").min());
 * }</pre>
 */
public final class Run {

    /** Files that make a directory a run. */
    public static final String METRICS = "metrics.jsonl";

    /** The run description written when training starts. */
    public static final String INFO = "run.json";
    /** Evaluation results appended by {@code llm eval --run}. */
    public static final String EVALS = "evals.jsonl";
    /** The run's page. */
    public static final String REPORT = "report.html";

    /**
     * A checkpoint of the run.
     *
     * @param dir the checkpoint directory
     * @param step its step
     * @param loss training loss at the save (NaN when unknown)
     * @param valLoss validation loss at the save (NaN when unknown)
     * @param tokensSeen training tokens consumed up to it
     * @param bytes size on disk
     * @param savedAt when its directory was written
     */
    public record Checkpoint(
            Path dir, long step, double loss, double valLoss, long tokensSeen, long bytes, Instant savedAt) {}

    private final Path dir;
    private final RunInfo info;
    private final RunHistory history;
    private final List<Checkpoint> checkpoints;
    private final List<EvalResult> evals;
    private final Instant updatedAt;

    Run(
            Path dir,
            RunInfo info,
            RunHistory history,
            List<Checkpoint> checkpoints,
            List<EvalResult> evals,
            Instant updatedAt) {
        this.dir = dir;
        this.info = info;
        this.history = history;
        this.checkpoints = List.copyOf(checkpoints);
        this.evals = List.copyOf(evals);
        this.updatedAt = updatedAt;
    }

    /** Whether {@code dir} holds a run ({@code metrics.jsonl} or {@code run.json}). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(METRICS)) || Files.isRegularFile(dir.resolve(INFO));
    }

    /**
     * Reads the run in {@code dir}.
     *
     * @throws NoSuchFileException when {@code dir} does not exist
     * @throws IllegalArgumentException when it is not a run directory
     * @throws CorruptArtifactException when one of its files is damaged
     */
    public static Run open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no run directory");
        }
        if (!isRun(dir)) {
            throw new IllegalArgumentException(
                    dir + " is not a run directory: it holds neither " + METRICS + " nor " + INFO);
        }
        RunInfo info = null;
        Path infoFile = dir.resolve(INFO);
        if (Files.isRegularFile(infoFile)) {
            try {
                info = RunInfo.fromJson(Json.read(infoFile));
            } catch (RuntimeException e) {
                throw new CorruptArtifactException(infoFile, "is not a run description: " + e.getMessage());
            }
        }
        RunHistory history = RunHistory.read(dir.resolve(METRICS));
        Path metrics = dir.resolve(METRICS);
        Instant updated = Files.exists(metrics)
                ? Files.getLastModifiedTime(metrics).toInstant()
                : Files.getLastModifiedTime(infoFile).toInstant();
        return new Run(dir, info, history, checkpoints(dir, info), EvalResult.read(dir.resolve(EVALS)), updated);
    }

    /** Where the run keeps its checkpoints: {@code run.json}'s save folder, else {@code checkpoints/}. */
    static Path saveFolder(Path dir, RunInfo info) {
        if (info != null && info.saveFolder() != null) {
            return info.saveFolder();
        }
        return dir.resolve("checkpoints");
    }

    /** The checkpoints now on disk, oldest first. */
    static List<Checkpoint> checkpoints(Path dir, RunInfo info) throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        List<Path> dirs = new ArrayList<>(Checkpoints.list(saveFolder(dir, info)));
        java.util.Collections.reverse(dirs);
        for (Path d : dirs) {
            double loss = Double.NaN;
            double val = Double.NaN;
            long tokens = 0;
            long step = Checkpoints.stepOf(d);
            try {
                JsonNode s = Json.read(d.resolve("state.json"));
                loss = s.path("loss").isNumber() ? s.path("loss").asDouble() : Double.NaN;
                val = s.path("val_loss").isNumber() ? s.path("val_loss").asDouble() : Double.NaN;
                tokens = s.path("tokens_seen").asLong();
            } catch (IOException | RuntimeException e) {
                // An interrupted or pruned save: listed without its numbers.
            }
            long bytes = 0;
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.toList()) {
                    bytes += Files.isRegularFile(f) ? Files.size(f) : 0;
                }
            } catch (IOException e) {
                continue; // Pruned while we looked.
            }
            out.add(new Checkpoint(
                    d,
                    step,
                    loss,
                    val,
                    tokens,
                    bytes,
                    Files.getLastModifiedTime(d).toInstant()));
        }
        return out;
    }

    /** The run directory. */
    public Path dir() {
        return dir;
    }

    /** The run's description, empty for runs without {@code run.json} (older Kiln, jsonl sink off). */
    public Optional<RunInfo> info() {
        return Optional.ofNullable(info);
    }

    /** The metrics read from {@code metrics.jsonl}. */
    public RunHistory history() {
        return history;
    }

    /** Checkpoints on disk, oldest first. */
    public List<Checkpoint> checkpoints() {
        return checkpoints;
    }

    /** Evaluations recorded against the run's checkpoints, in the order they ran. */
    public List<EvalResult> evals() {
        return evals;
    }

    /** When the metrics were last written. */
    public Instant updatedAt() {
        return updatedAt;
    }

    /** The run's name: its directory's name. */
    public String name() {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? dir.toString() : f.toString();
    }

    /** Training tokens per optimizer step (0 when unknown). */
    public long tokensPerStep() {
        return info == null ? 0 : info.tokensPerStep();
    }

    /** The step the run ends at (0 when unknown). */
    public long maxSteps() {
        return info == null ? 0 : info.maxSteps();
    }

    /** The resolved configuration, flat (empty when unknown). */
    public Map<String, Object> config() {
        return info == null ? Map.of() : info.config();
    }

    /** {@code done} (reached max_steps), {@code running} (metrics written in the last 10 minutes) or {@code stopped}. */
    public String status() {
        long last = history.lastStep();
        if (maxSteps() > 0 && last >= maxSteps()) {
            return "done";
        }
        return updatedAt.isAfter(Instant.now().minusSeconds(600)) ? "running" : "stopped";
    }
}
