package dev.kiln.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.train.TrainConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.TrainRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The quickstart's training stage: plan the step budget by timing a few steps, train, record the result. */
final class TrainStage {

    private final Settings s;

    TrainStage(Settings s) {
        this.s = s;
    }

    Quickstart.StageResult train(Path w) throws IOException {
        long t0 = System.nanoTime();
        Path dir = w.resolve("train");
        Path resultFile = dir.resolve("result.json");
        if (Files.isRegularFile(resultFile)) {
            return new Quickstart.StageResult(
                    "train", true, Settings.secondsSince(t0), trainDetail(resultFile), dir.resolve("report.html"));
        }
        Files.createDirectories(dir);
        Path yaml = dir.resolve("train.yaml");
        int vocab = BpeTokenizer.load(w.resolve("tokenizer.json")).vocabSize();
        if (!Files.isRegularFile(yaml)) {
            long steps = s.maxSteps() > 0 ? s.maxSteps() : calibrate(w, dir, vocab);
            AtomicFiles.writeString(yaml, trainYaml(vocab, steps));
            s.say("train: %d steps planned (%s)", steps, yaml);
        } else {
            s.say("train: resuming the planned run %s", yaml);
        }
        TrainConfig config = TrainConfig.load(yaml, List.of());
        TrainResult r = TrainRun.run(config, true);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("steps", r.steps());
        json.put("resumed_from", r.resumedFrom());
        json.put("loss", r.lastLoss());
        json.put("val_loss", Double.isNaN(r.lastValLoss()) ? null : r.lastValLoss());
        double bytesPerToken = valBytesPerToken(w);
        json.put("val_bytes_per_token", bytesPerToken);
        json.put(
                "val_bits_per_byte",
                Double.isNaN(r.lastValLoss()) ? null : r.lastValLoss() / Math.log(2) / bytesPerToken);
        json.put("median_step_ms", r.medianStepMillis());
        json.put(
                "checkpoint",
                r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString());
        Json.write(resultFile, json);
        return new Quickstart.StageResult(
                "train", false, Settings.secondsSince(t0), trainDetail(resultFile), dir.resolve("report.html"));
    }

    private static String trainDetail(Path resultFile) throws IOException {
        JsonNode r = Json.read(resultFile);
        return String.format(
                Locale.ROOT,
                "%d steps (resumed from %d), loss %.3f, val loss %.3f (%.3f bits/byte), %.0f ms/step",
                r.path("steps").asLong(),
                r.path("resumed_from").asLong(),
                r.path("loss").asDouble(Double.NaN),
                r.path("val_loss").asDouble(Double.NaN),
                r.path("val_bits_per_byte").asDouble(Double.NaN),
                r.path("median_step_ms").asDouble(Double.NaN));
    }

    /**
     * Text bytes per token of the validation shards (special tokens such as FIM sentinels count no
     * bytes), to turn the validation loss (nats per token) into bits per byte, which does not
     * depend on the tokenizer.
     */
    private static double valBytesPerToken(Path w) throws IOException {
        BpeTokenizer tok = BpeTokenizer.load(w.resolve("tokenizer.json"));
        long bytes = 0;
        long tokens = 0;
        try (dev.kiln.tokenize.shard.TokenDataset val =
                dev.kiln.tokenize.shard.TokenDataset.open(w.resolve("shards"), "val", tok)) {
            int[] row = new int[val.rowLength()];
            for (long i = 0; i < val.size(); i++) {
                val.read(i, row);
                for (int j = 1; j < row.length; j++) { // the loss predicts tokens 1..T of each row
                    tokens++;
                    if (!tok.isSpecial(row[j])) {
                        bytes += tok.tokenBytes(row[j]).length;
                    }
                }
            }
        }
        return tokens == 0 ? Double.NaN : (double) bytes / tokens;
    }

    String trainYaml(int vocab, long steps) {
        return String.join(
                "\n",
                "# Written by the Kiln quickstart; `llm train --config " + "train.yaml` reruns (and resumes) it.",
                "model: {arch: llama, vocab_size: " + vocab + ", context_length: " + s.seqLen() + ", d_model: "
                        + s.dModel() + ", heads: " + heads() + ", kv_heads: " + Math.max(1, heads() / 2) + ", layers: "
                        + s.layers() + "}",
                "data: {shards: ../shards, tokenizer: ../tokenizer.json, batch_size: " + s.batchSize() + "}",
                "optimizer: {lr: 4.0e-3, weight_decay: 0.1, grad_clip: 1.0}",
                "scheduler: {warmup_steps: " + Math.max(1, Math.min(100, steps / 10)) + ", min_lr: 4.0e-4}",
                "max_steps: " + steps,
                "eval_interval: " + Math.max(1, steps / 4),
                "eval_batches: 8",
                "save_interval: " + Math.max(1, steps / 4),
                "keep_last: 2",
                "save_folder: checkpoints",
                "seed: " + s.seed(),
                "threads: {intra_op: " + Math.max(1, s.threads()) + ", inter_op: 1}",
                "metrics: {sinks: 'jsonl,html', log_interval: 50}",
                "");
    }

    /** Query heads of 32 dimensions each (the width of Llama-family heads at this scale). */
    private int heads() {
        return Math.max(1, s.dModel() / 32);
    }

    private static final int CALIBRATION_STEPS = 10;

    /**
     * Steps that fit the time budget: times ten steps of the same model in a scratch folder and
     * takes the median of the last five (the first steps pay for JIT compilation and allocator
     * warm-up, and would plan too few steps).
     */
    private long calibrate(Path w, Path dir, int vocab) throws IOException {
        Path scratch = dir.resolve("calibration");
        AtomicFiles.deleteRecursively(scratch);
        Files.createDirectories(scratch);
        Path yaml = scratch.resolve("train.yaml");
        AtomicFiles.writeString(
                yaml,
                trainYaml(vocab, CALIBRATION_STEPS)
                        .replace("../shards", w.resolve("shards").toString())
                        .replace(
                                "../tokenizer.json", w.resolve("tokenizer.json").toString())
                        .replace("'jsonl,html', log_interval: 50", "'jsonl', log_interval: 1"));
        long t0 = System.nanoTime();
        TrainResult r = TrainRun.run(TrainConfig.load(yaml, List.of("eval_interval=0")), false);
        double ms = Math.max(1, settledStepMillis(scratch.resolve("metrics.jsonl"), r.medianStepMillis()));
        AtomicFiles.deleteRecursively(scratch);
        // the calibration counts against the budget; validation passes and checkpoints cost about
        // 10% on top of the steps
        double leftMs = s.trainMinutes() * 60_000 - (System.nanoTime() - t0) / 1e6;
        long steps = (long) (leftMs * 0.9 / ms);
        s.say("train: %.0f ms per step measured; %.1f minutes of training", ms, s.trainMinutes());
        return Math.max(20, steps);
    }

    /** Median step time of the calibration's last five steps, or {@code fallback} without metrics. */
    private static double settledStepMillis(Path metrics, double fallback) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            return fallback;
        }
        List<Double> ms = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.mapper().readTree(line);
            if (n.has("step_ms") && n.path("step").asLong() > CALIBRATION_STEPS / 2) {
                ms.add(n.path("step_ms").asDouble());
            }
        }
        if (ms.isEmpty()) {
            return fallback;
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }
}
