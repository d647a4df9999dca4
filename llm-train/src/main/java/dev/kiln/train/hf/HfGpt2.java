package dev.kiln.train.hf;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.core.model.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face GPT-2 format: {@code config.json} ({@code GPT2LMHeadModel}), {@code
 * model.safetensors} with HF's parameter names and layouts ({@code Conv1D} weights are {@code [in,
 * out]}), and {@code tokenizer.json}, so {@code transformers}, vLLM and the BigCode harness load a
 * Kiln model; {@link #importModel} reads the same.
 *
 * <pre>{@code
 * HfGpt2.export(Path.of("runs/tiny/checkpoints/step-002000"), Path.of("hf/tiny"));
 * ModelDir.Loaded back = HfGpt2.importModel(Path.of("hf/tiny"), Device.cpu());
 * }</pre>
 */
public final class HfGpt2 {

    private HfGpt2() {}

    /** Exports the Kiln model directory {@code modelDir} to {@code out}. */
    public static void export(Path modelDir, Path out) throws IOException {
        ModelDir.Loaded l = ModelDir.read(modelDir, Device.cpu());
        try (GptModel m = l.model()) {
            export(m, l.tokenizer(), out);
        }
    }

    /** Exports {@code model} and {@code tokenizer} to {@code out}. */
    public static void export(GptModel model, Tokenizer tokenizer, Path out) throws IOException {
        Files.createDirectories(out);
        GptConfig c = model.config();
        Map<String, float[]> values = model.values();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> hf = new LinkedHashMap<>();
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e :
                GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().getShape();
            float[] v = values.get(name);
            String hfName = name.equals("lm_head.weight") ? name : "transformer." + name;
            if (isConv1D(name)) {
                v = transpose(v, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            hf.put(hfName, v);
            shapes.put(hfName, shape);
        }
        writeSafetensors(out.resolve("model.safetensors"), hf, shapes);
        Json.write(out.resolve("config.json"), hfConfig(c, tokenizer));
        if (tokenizer instanceof BpeTokenizer bpe) {
            bpe.save(out.resolve("tokenizer.json"));
        } else {
            AtomicFiles.writeString(out.resolve("tokenizer.json"), Json.toPretty(tokenizerJson(tokenizer)));
        }
    }

    /** Reads an HF GPT-2 directory (config.json + model.safetensors; tokenizer from tokenizer.json when byte-level). */
    public static ModelDir.Loaded importModel(Path dir, Device device) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new NoSuchFileException(cfgFile.toString(), null, "not a Hugging Face model directory");
        }
        JsonNode n = Json.read(cfgFile);
        if (!"gpt2".equals(n.path("model_type").asText())) {
            throw new CorruptArtifactException(
                    cfgFile, "model_type is '" + n.path("model_type").asText() + "', only gpt2 can be imported");
        }
        int d = n.path("n_embd").asInt();
        int inner = n.path("n_inner").isNumber() ? n.path("n_inner").asInt() : 4 * d;
        if (inner % d != 0) {
            throw new CorruptArtifactException(cfgFile, "n_inner " + inner + " is not a multiple of n_embd " + d);
        }
        GptConfig c = GptConfig.builder()
                .setVocabSize(n.path("vocab_size").asInt())
                .setContextLength(n.path("n_positions").asInt())
                .optDModel(d)
                .optHeads(n.path("n_head").asInt())
                .optLayers(n.path("n_layer").asInt())
                .optMlpRatio(inner / d)
                .optTiedEmbeddings(n.path("tie_word_embeddings").asBoolean(true))
                .build();
        Map<String, float[]> raw = readSafetensors(dir.resolve("model.safetensors"));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e :
                GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().getShape();
            float[] v = raw.get("transformer." + name);
            if (v == null) {
                v = raw.get(name);
            }
            if (v == null && name.equals("lm_head.weight")) {
                v = raw.get("lm_head.weight");
            }
            if (v == null) {
                throw new CorruptArtifactException(
                        dir.resolve("model.safetensors"), "has no tensor 'transformer." + name + "'");
            }
            if (isConv1D(name)) {
                v = transpose(v, (int) shape[1], (int) shape[0]);
            }
            values.put(name, v);
        }
        Tokenizer tok = ByteTokenizer.withCodeSpecials();
        Path tj = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tj)) {
            JsonNode t = Json.read(tj);
            List<String> specials = new ArrayList<>();
            t.path("added_tokens").forEach(a -> specials.add(a.path("content").asText()));
            if (t.path("model").path("merges").isEmpty()
                    && t.path("model").path("vocab").size() == 256) {
                tok = new ByteTokenizer(specials);
            } else {
                tok = BpeTokenizer.load(tj);
            }
        }
        return new ModelDir.Loaded(GptModel.fromValues(c, values, device), tok, dir);
    }

    private static boolean isConv1D(String name) {
        return name.endsWith("c_attn.weight") || name.endsWith("c_proj.weight") || name.endsWith("c_fc.weight");
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = v[r * cols + c];
            }
        }
        return t;
    }

    static Map<String, Object> hfConfig(GptConfig c, Tokenizer tok) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("GPT2LMHeadModel"));
        m.put("model_type", "gpt2");
        m.put("vocab_size", c.vocabSize());
        m.put("n_positions", c.contextLength());
        m.put("n_ctx", c.contextLength());
        m.put("n_embd", c.dModel());
        m.put("n_layer", c.layers());
        m.put("n_head", c.heads());
        m.put("n_inner", c.mlpWidth());
        m.put("activation_function", "gelu_new");
        m.put("layer_norm_epsilon", (double) GptConfig.LAYER_NORM_EPS);
        m.put("initializer_range", (double) GptConfig.INIT_STD);
        m.put("resid_pdrop", c.dropout());
        m.put("embd_pdrop", c.dropout());
        m.put("attn_pdrop", c.dropout());
        m.put("scale_attn_weights", true);
        m.put("tie_word_embeddings", c.tiedEmbeddings());
        int eos = tok.endOfTextId().orElse(0);
        m.put("bos_token_id", eos);
        m.put("eos_token_id", eos);
        m.put("torch_dtype", "float32");
        return m;
    }

    /** GPT-2's byte → printable character map (bytes_to_unicode). */
    static char[] byteChars() {
        char[] out = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) (256 + n++);
        }
        return out;
    }

    static Map<String, Object> tokenizerJson(Tokenizer tok) {
        if (!(tok instanceof ByteTokenizer)) {
            throw new IllegalArgumentException("tokenizer " + tok.getClass().getName() + " cannot be exported yet");
        }
        char[] chars = byteChars();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(chars[b]), b);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int id = 256; id < tok.vocabSize(); id++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", id);
            a.put("content", tok.tokenText(id));
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", false);
        byteLevel.put("use_regex", false);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "1.0");
        m.put("truncation", null);
        m.put("padding", null);
        m.put("added_tokens", added);
        m.put("normalizer", null);
        m.put("pre_tokenizer", byteLevel);
        m.put("post_processor", null);
        m.put("decoder", byteLevel);
        m.put("model", model);
        return m;
    }

    /** Writes float32 tensors: 8-byte little-endian header length, JSON header (space-padded to 8 bytes), data. */
    public static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            long bytes = e.getValue().length * 4L;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", shapes.get(e.getKey()));
            info.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json = Json.toLine(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded);
        head.put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (AtomicFiles.Output out = AtomicFiles.open(file)) {
            out.stream().write(head.array());
            for (float[] v : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                out.stream().write(bb.array());
            }
            out.commit();
        }
    }

    /** Reads a safetensors file of F32 tensors. */
    public static Map<String, float[]> readSafetensors(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no safetensors file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(lenBuf, 0) != 8) {
                throw new CorruptArtifactException(file, "is too short for a safetensors header");
            }
            long hlen = lenBuf.getLong(0);
            if (hlen <= 0 || 8 + hlen > size || hlen > 100_000_000) {
                throw new CorruptArtifactException(file, "has a bad header length " + hlen);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            ch.read(hb, 8);
            JsonNode header = Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
            long base = 8 + hlen;
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode info = e.getValue();
                if (!"F32".equals(info.path("dtype").asText())) {
                    throw new CorruptArtifactException(
                            file,
                            "tensor '" + e.getKey() + "' has dtype "
                                    + info.path("dtype").asText() + "; only F32 is supported");
                }
                long begin = info.path("data_offsets").path(0).asLong();
                long end = info.path("data_offsets").path(1).asLong();
                if (begin < 0 || end < begin || base + end > size || (end - begin) % 4 != 0) {
                    throw new CorruptArtifactException(file, "tensor '" + e.getKey() + "' has bad offsets");
                }
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(data, base + begin);
                data.flip();
                float[] v = new float[(int) ((end - begin) / 4)];
                data.asFloatBuffer().get(v);
                out.put(e.getKey(), v);
            }
            return out;
        }
    }
}
