package dev.kiln.train.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run is, told to the sinks once when {@code fit()} starts (and again after each resume):
 * the resolved configuration, the model, where checkpoints go, device, precision and provenance.
 * The {@code jsonl} sink records it as {@code run.json} beside {@code metrics.jsonl}.
 *
 * <pre>{@code
 * RunInfo info = RunInfo.fromJson(Json.read(runDir.resolve("run.json")));
 * long tokens = info.tokensPerStep() * step;
 * }</pre>
 *
 * @param config the run's resolved configuration, flat ({@code optimizer.lr} etc.)
 * @param model the model's hyper-parameters
 * @param parameters trainable parameters
 * @param tokensPerStep tokens consumed by one optimizer step (batch x accumulation x sequence)
 * @param maxSteps the step the run ends at
 * @param resumedFrom the step this session resumed from (0 for a fresh start)
 * @param saveFolder the checkpoint folder, or {@code null} when none are written
 * @param device where the model lives ({@code cpu()}, {@code gpu(0)})
 * @param precision the parameters' data type ({@code float32}, ...)
 * @param inputs what the data was made from
 * @param seed the run's seed
 * @param versions Kiln, Java and OS versions
 * @param startedAt when this session started (UTC, seconds)
 */
public record RunInfo(
        Map<String, Object> config,
        Map<String, Object> model,
        long parameters,
        long tokensPerStep,
        long maxSteps,
        long resumedFrom,
        Path saveFolder,
        String device,
        String precision,
        List<String> inputs,
        long seed,
        Map<String, String> versions,
        Instant startedAt) {

    /** Copies the config (null becomes empty). */
    public RunInfo {
        config = config == null ? Map.of() : new LinkedHashMap<>(config);
        model = model == null ? Map.of() : new LinkedHashMap<>(model);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        versions = versions == null ? Provenance.currentVersions() : new LinkedHashMap<>(versions);
        startedAt = startedAt == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : startedAt;
    }

    /** A run starting now on this machine (versions filled in). */
    public static RunInfo startingNow(
            Map<String, Object> config,
            Map<String, Object> model,
            long parameters,
            long tokensPerStep,
            long maxSteps,
            long resumedFrom,
            Path saveFolder,
            String device,
            String precision,
            List<String> inputs,
            long seed) {
        return new RunInfo(
                config,
                model,
                parameters,
                tokensPerStep,
                maxSteps,
                resumedFrom,
                saveFolder == null ? null : saveFolder.toAbsolutePath().normalize(),
                device,
                precision,
                inputs,
                seed,
                null,
                null);
    }

    /** The JSON shape of {@code run.json}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "run");
        m.put("version", 1);
        m.put("started_at", startedAt.toString());
        m.put("resumed_from", resumedFrom);
        m.put("max_steps", maxSteps);
        m.put("tokens_per_step", tokensPerStep);
        m.put("parameters", parameters);
        m.put("device", device);
        m.put("precision", precision);
        m.put("save_folder", saveFolder == null ? null : saveFolder.toString());
        m.put("seed", seed);
        m.put("inputs", inputs);
        m.put("versions", versions);
        m.put("model", model);
        m.put("config", config);
        return m;
    }

    private static Map<String, Object> map(JsonNode n) {
        if (!n.isObject()) {
            return Map.of();
        }
        return Json.mapper().convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** Reads the shape {@link #toMap()} writes; missing fields get neutral values. */
    public static RunInfo fromJson(JsonNode n) {
        Map<String, Object> config = map(n.path("config"));
        Map<String, Object> model = map(n.path("model"));
        List<String> inputs = new ArrayList<>();
        n.path("inputs").forEach(i -> inputs.add(i.asText()));
        Map<String, String> versions = new LinkedHashMap<>();
        n.path("versions")
                .fields()
                .forEachRemaining(e -> versions.put(e.getKey(), e.getValue().asText()));
        String save = n.path("save_folder").isTextual() ? n.path("save_folder").asText() : null;
        Instant started;
        try {
            started = Instant.parse(n.path("started_at").asText());
        } catch (RuntimeException e) {
            started = Instant.EPOCH;
        }
        return new RunInfo(
                config,
                model,
                n.path("parameters").asLong(),
                n.path("tokens_per_step").asLong(),
                n.path("max_steps").asLong(),
                n.path("resumed_from").asLong(),
                save == null ? null : Path.of(save),
                n.path("device").asText("unknown"),
                n.path("precision").asText("unknown"),
                inputs,
                n.path("seed").asLong(),
                versions,
                started);
    }
}
