package dev.kiln.train.hf;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face model directories in and out: {@code config.json}, {@code model.safetensors} (or
 * shards with {@code model.safetensors.index.json}; F32, F16 and BF16 read, F32 written) and
 * {@code tokenizer.json}. The class follows the model: {@code GPT2LMHeadModel} for GPT-2 models,
 * {@code LlamaForCausalLM} for the Llama family, {@code Qwen2ForCausalLM} when only the QKV
 * projection has biases.
 *
 * <pre>{@code
 * HfModels.export(Path.of("runs/tiny/checkpoints/step-002000"), Path.of("hf/tiny"));
 * try (GptModel m = HfModels.importModel(Path.of("hf/SmolLM2-135M"), Device.cpu()).model()) { ... }
 * }</pre>
 */
public final class HfModels {

    /** The {@code model_type} values Kiln imports. */
    public static final List<String> MODEL_TYPES = List.of("gpt2", "llama", "qwen2");

    private HfModels() {}

    /** Exports the Kiln model directory {@code modelDir} to {@code out}. */
    public static void export(Path modelDir, Path out) throws IOException {
        ModelDir.Loaded l = ModelDir.read(modelDir, Device.cpu());
        try (GptModel m = l.model()) {
            export(m, l.tokenizer(), out);
        }
    }

    /**
     * Exports {@code model} and {@code tokenizer} to {@code out} in the Hugging Face class that
     * matches the model.
     *
     * @throws IllegalArgumentException when no Hugging Face class has the model's architecture
     *     (e.g. rotary positions with LayerNorm), naming the options that do not fit
     */
    public static void export(GptModel model, Tokenizer tokenizer, Path out) throws IOException {
        GptConfig c = model.config();
        List<String> gpt2 = HfGpt2.gpt2Mismatches(c);
        List<String> llama = HfLlama.mismatches(c);
        if (gpt2.isEmpty()) {
            HfGpt2.export(model, tokenizer, out);
        } else if (llama.isEmpty()) {
            HfLlama.export(model, tokenizer, out);
        } else {
            throw new IllegalArgumentException("no Hugging Face class has this architecture: as GPT-2 it differs in "
                    + String.join(", ", gpt2) + "; as Llama in " + String.join(", ", llama));
        }
    }

    /** The Hugging Face class name {@link #export} writes for {@code c}, or null when none fits. */
    public static String architectureOf(GptConfig c) {
        if (HfGpt2.gpt2Mismatches(c).isEmpty()) {
            return "GPT2LMHeadModel";
        }
        if (HfLlama.mismatches(c).isEmpty()) {
            return HfLlama.modelType(c).equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
        }
        return null;
    }

    /** Whether {@code dir} looks like a Hugging Face model directory (not a Kiln checkpoint). */
    public static boolean isModelDir(Path dir) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)
                || !(Files.isRegularFile(dir.resolve(Safetensors.MODEL_FILE))
                        || Files.isRegularFile(dir.resolve(Safetensors.INDEX_FILE)))) {
            return false;
        }
        try {
            JsonNode n = Json.read(cfg);
            return n.has("model_type") && !n.has("format");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads a Hugging Face model directory with its tokenizer; the tensors are converted to float32.
     *
     * @throws CorruptArtifactException naming the file and the field for what Kiln cannot represent:
     *     an unknown {@code model_type}, {@code rope_scaling}, sliding windows, a missing or
     *     mis-shaped tensor
     */
    public static ModelDir.Loaded importModel(Path dir, Device device) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new NoSuchFileException(cfgFile.toString(), null, "not a Hugging Face model directory");
        }
        JsonNode n = Json.read(cfgFile);
        String type = n.path("model_type").asText("");
        return switch (type) {
            case "gpt2" -> HfGpt2.importModel(dir, device);
            case "llama", "qwen2" -> HfLlama.importModel(dir, n, device);
            default ->
                throw new CorruptArtifactException(
                        cfgFile, "model_type is '" + type + "'; Kiln imports " + String.join(", ", MODEL_TYPES));
        };
    }

    /** Fields whose presence changes the model in ways Kiln does not implement. */
    static void rejectUnsupported(Path cfgFile, JsonNode n) throws CorruptArtifactException {
        JsonNode scaling = n.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new CorruptArtifactException(
                    cfgFile,
                    "sets rope_scaling " + scaling
                            + "; scaled rotary embeddings (linear, dynamic, yarn, llama3) are not supported");
        }
        JsonNode quant = n.get("quantization_config");
        if (quant != null && !quant.isNull()) {
            throw new CorruptArtifactException(
                    cfgFile, "has a quantization_config; quantized checkpoints are not supported");
        }
        JsonNode window = n.get("sliding_window");
        if (window != null && !window.isNull() && !n.has("use_sliding_window")) {
            throw new CorruptArtifactException(
                    cfgFile, "sets sliding_window " + window + "; sliding-window attention is not supported");
        }
    }

    /** Writes {@code tokenizer.json} for a Kiln tokenizer (BPE as saved; byte-level as a merge-free BPE). */
    static void writeTokenizer(Tokenizer tokenizer, Path out) throws IOException {
        if (tokenizer instanceof BpeTokenizer bpe) {
            bpe.save(out.resolve("tokenizer.json"));
        } else {
            AtomicFiles.writeString(out.resolve("tokenizer.json"), Json.toPretty(HfGpt2.tokenizerJson(tokenizer)));
        }
    }

    /**
     * The tokenizer of a Hugging Face directory: a merge-free 256-byte vocabulary is Kiln's {@link
     * ByteTokenizer}, anything else a {@link BpeTokenizer}.
     */
    static Tokenizer readTokenizer(Path dir) throws IOException {
        Path tj = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tj)) {
            throw new NoSuchFileException(
                    tj.toString(),
                    null,
                    "the model directory has no tokenizer.json (Kiln needs the tokenizer to run a model)");
        }
        JsonNode t = Json.read(tj);
        if (t.path("model").path("merges").isEmpty()
                && t.path("model").path("vocab").size() == 256) {
            List<String> specials = new ArrayList<>();
            t.path("added_tokens").forEach(a -> specials.add(a.path("content").asText()));
            return new ByteTokenizer(specials);
        }
        return BpeTokenizer.load(tj);
    }
}
