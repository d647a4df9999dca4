package dev.kiln.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.KilnVersion;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.optim.AdamW;
import dev.kiln.train.optim.LossScaler;
import dev.kiln.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint schema of a training run: {@code model.params} and the tokenizer ({@link
 * ModelDir}), {@code optimizer.bin}, and {@code state.json} (step, tokens seen, data position, RNG
 * policy, learning rate, losses, model and run config, tokenizer hash, device, precision, loss
 * scaler), committed atomically by {@link Checkpoints}; and the checks a resume makes against it.
 */
final class TrainCheckpoint {

    static final int STATE_VERSION = 1;

    private final TrainSettings s;
    private final GptModel model;
    private final AdamW optimizer;
    private final DataLoader loader;
    private final LrSchedule schedule;
    private final LossScaler scaler;
    private final Map<String, Object> deviceInfo;

    TrainCheckpoint(
            TrainSettings s,
            GptModel model,
            AdamW optimizer,
            DataLoader loader,
            LrSchedule schedule,
            LossScaler scaler,
            Map<String, Object> deviceInfo) {
        this.s = s;
        this.model = model;
        this.optimizer = optimizer;
        this.loader = loader;
        this.schedule = schedule;
        this.scaler = scaler;
        this.deviceInfo = deviceInfo;
    }

    /** Where a run stands after a resume. */
    record Position(long step, long tokensSeen) {}

    Path save(long step, long tokensSeen, double lastLoss, double lastVal) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("version", STATE_VERSION);
        state.put("step", step);
        state.put("tokens_seen", tokensSeen);
        long[] data = loader.state();
        state.put("data", Map.of("epoch", data[0], "offset", data[1], "rows", s.train.size()));
        state.put(
                "rng",
                Map.of(
                        "seed",
                        s.seed,
                        "engine",
                        "reseeded every step from (seed, step)",
                        "data",
                        "permutation of (seed, epoch)"));
        state.put("lr", schedule.at(Math.max(0, step - 1)));
        state.put("loss", lastLoss);
        state.put("val_loss", Double.isNaN(lastVal) ? null : lastVal);
        state.put("model", s.modelConfig.toMap());
        state.put("tokenizer_sha256", ModelDir.tokenizerHash(s.tokenizer));
        state.put("train_config", s.runConfig);
        state.put("device", deviceInfo);
        state.put("precision", s.precision.wireName());
        state.put("optimizer_steps", optimizer.steps());
        if (scaler != null) {
            state.put("loss_scaler", scaler.state());
        }
        Provenance prov = Provenance.builder()
                .setKind("checkpoint")
                .optInputs(s.inputs)
                .optConfig(s.runConfig)
                .optSeed(s.seed)
                .build();
        Manifest manifest = new Manifest(
                "checkpoint",
                1,
                Map.of("step", step, "parameters", model.countParameters(), "tokens_seen", tokensSeen),
                prov,
                Map.of("kiln", KilnVersion.get()));
        try {
            return Checkpoints.commit(
                    s.saveFolder,
                    step,
                    dir -> {
                        ModelDir.write(dir, model, s.tokenizer);
                        optimizer.save(dir.resolve("optimizer.bin"));
                        Json.write(dir.resolve("state.json"), state);
                    },
                    manifest,
                    s.keepLast);
        } catch (IOException e) {
            String prev = Checkpoints.latest(s.saveFolder).map(Path::toString).orElse("none");
            throw new IOException(
                    "saving the checkpoint of step " + step + " under " + s.saveFolder + " failed (" + e.getMessage()
                            + "); the previous checkpoint (" + prev + ") is intact",
                    e);
        }
    }

    /** Loads a checkpoint into the model, optimizer, loss scaler and data loader, after checking it fits the run. */
    Position restore(Path dir) throws IOException {
        JsonNode state = Json.read(dir.resolve("state.json"));
        GptConfig saved = ModelDir.readConfig(dir);
        if (!saved.equals(s.modelConfig)) {
            throw new IllegalArgumentException("checkpoint " + dir + " holds a model " + saved.toMap()
                    + " but the config asks for " + s.modelConfig.toMap()
                    + "; use --no-resume or another save_folder");
        }
        String hash = state.path("tokenizer_sha256").asText();
        if (!hash.equals(ModelDir.tokenizerHash(s.tokenizer))) {
            throw new IllegalArgumentException(
                    "checkpoint " + dir + " was trained with another tokenizer (sha256 " + hash + ")");
        }
        if (state.path("data").path("rows").asLong() != s.train.size()) {
            throw new IllegalArgumentException("checkpoint " + dir + " was trained on "
                    + state.path("data").path("rows") + " rows, the training data now has " + s.train.size()
                    + "; the data position cannot be restored");
        }
        Map<String, float[]> values = GptModel.readParameterFile(dir.resolve(ModelDir.PARAMS), s.modelConfig);
        model.setValues(values);
        optimizer.load(dir.resolve("optimizer.bin"));
        long step = state.path("step").asLong(-1);
        long optimizerSteps = state.path("optimizer_steps").asLong(step); // skipped fp16 steps make them differ
        if (step < 0 || optimizerSteps != optimizer.steps()) {
            throw new CorruptArtifactException(
                    dir.resolve("state.json"), "step " + step + " disagrees with the optimizer state");
        }
        String precision = state.path("precision").asText("fp32");
        if (!precision.equals(s.precision.wireName())) {
            throw new IllegalArgumentException(
                    "checkpoint " + dir + " was trained with precision " + precision + " but the config asks for "
                            + s.precision.wireName() + "; use --no-resume or another save_folder");
        }
        if (scaler != null) {
            JsonNode ls = state.path("loss_scaler");
            scaler.restore(
                    ls.path("scale").asDouble(65536),
                    ls.path("good_steps").asInt(),
                    ls.path("skipped").asLong());
        }
        loader.restore(new long[] {
            state.path("data").path("epoch").asLong(),
            state.path("data").path("offset").asLong()
        });
        return new Position(step, state.path("tokens_seen").asLong());
    }
}
