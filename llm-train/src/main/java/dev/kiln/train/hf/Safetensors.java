package dev.kiln.train.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header of {@code dtype},
 * {@code shape} and {@code data_offsets} per tensor, then raw little-endian data), single files and
 * Hugging Face's sharded form ({@code model.safetensors.index.json} with a {@code weight_map}).
 * Tensors are read as float32 whatever their stored type: F32, F16 and BF16 are supported.
 *
 * <pre>{@code
 * Map<String, Safetensors.Tensor> t = Safetensors.readModel(Path.of("hf/SmolLM2-135M"));
 * float[] emb = t.get("model.embed_tokens.weight").values();
 * }</pre>
 */
public final class Safetensors {

    /** The single-file name Hugging Face uses. */
    public static final String MODEL_FILE = "model.safetensors";

    /** The index of a sharded checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private Safetensors() {}

    /** One tensor, as float32 values with its shape and the dtype it was stored in. */
    public record Tensor(long[] shape, float[] values, String storedType) {
        /** Number of elements of {@code shape}. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Reads every tensor of a model directory: {@code model.safetensors}, or the shards listed in
     * {@code model.safetensors.index.json}.
     *
     * @throws NoSuchFileException when the directory has neither
     * @throws CorruptArtifactException when a file is damaged, a shard is missing or a tensor is not
     *     where the index says
     */
    public static Map<String, Tensor> readModel(Path dir) throws IOException {
        Path single = dir.resolve(MODEL_FILE);
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(single)) {
            return read(single);
        }
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(dir.toString(), null, "has neither " + MODEL_FILE + " nor " + INDEX_FILE);
        }
        JsonNode map = Json.read(index).path("weight_map");
        if (!map.isObject() || map.isEmpty()) {
            throw new CorruptArtifactException(index, "has no 'weight_map' object");
        }
        Set<String> files = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            files.add(it.next().getValue().asText());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String f : files) {
            Path shard = dir.resolve(f).normalize();
            if (!shard.startsWith(dir.normalize())) {
                throw new CorruptArtifactException(index, "names a shard outside the directory: '" + f + "'");
            }
            if (!Files.isRegularFile(shard)) {
                throw new CorruptArtifactException(index, "names shard '" + f + "', which does not exist");
            }
            out.putAll(read(shard));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!out.containsKey(e.getKey())) {
                throw new CorruptArtifactException(
                        index,
                        "maps tensor '" + e.getKey() + "' to '" + e.getValue().asText() + "', which lacks it");
            }
        }
        return out;
    }

    /** Reads one safetensors file. */
    public static Map<String, Tensor> read(Path file) throws IOException {
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
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new CorruptArtifactException(file, "has a header that is not JSON: " + e.getMessage(), e);
            }
            long base = 8 + hlen;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                out.put(e.getKey(), readTensor(ch, file, e.getKey(), e.getValue(), base, size));
            }
            return out;
        }
    }

    private static Tensor readTensor(FileChannel ch, Path file, String name, JsonNode info, long base, long size)
            throws IOException {
        String dtype = info.path("dtype").asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default ->
                throw new CorruptArtifactException(
                        file, "tensor '" + name + "' has dtype " + dtype + "; supported: F32, F16, BF16");
        };
        JsonNode shapeNode = info.path("shape");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            if (shape[i] < 0) {
                throw new CorruptArtifactException(file, "tensor '" + name + "' has a negative dimension");
            }
            count *= shape[i];
        }
        long begin = info.path("data_offsets").path(0).asLong(-1);
        long end = info.path("data_offsets").path(1).asLong(-1);
        if (begin < 0 || end < begin || base + end > size || end - begin != count * width) {
            throw new CorruptArtifactException(
                    file,
                    "tensor '" + name + "' has bad offsets [" + begin + ", " + end + ") for " + count + " " + dtype
                            + " values");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new CorruptArtifactException(file, "tensor '" + name + "' has " + count + " values (too many)");
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, base + begin);
        data.flip();
        float[] v = new float[(int) count];
        switch (dtype) {
            case "F32" -> data.asFloatBuffer().get(v);
            case "F16" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.float16ToFloat(data.getShort());
                }
            }
            default -> { // BF16: the upper half of a float32
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat((data.getShort() & 0xFFFF) << 16);
                }
            }
        }
        return new Tensor(shape, v, dtype);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new java.io.EOFException("unexpected end of file");
            }
            pos += n;
        }
    }

    /**
     * Writes float32 tensors to one file (header padded with spaces to 8 bytes, as the reference
     * writer does), atomically.
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = e.getValue().values().length * 4L;
            if (e.getValue().size() != e.getValue().values().length) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has "
                        + e.getValue().values().length + " values for shape "
                        + java.util.Arrays.toString(e.getValue().shape()));
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", e.getValue().shape());
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
        try (AtomicFiles.Output out = AtomicFiles.open(file)) {
            out.stream().write(head.array());
            for (Tensor t : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(t.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.values());
                out.stream().write(bb.array());
            }
            out.commit();
        }
    }
}
