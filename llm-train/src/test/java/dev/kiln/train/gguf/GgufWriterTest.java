package dev.kiln.train.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The byte layout of GGUF v3 as ggml's spec describes it, read back by a small independent parser. */
class GgufWriterTest {

    @Test
    void layoutFollowsTheSpec() throws Exception {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putUint32("general.alignment", 32)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putStringArray("tokenizer.ggml.tokens", List.of("a", "Ġb", "<|endoftext|>"))
                .putInt32Array("tokenizer.ggml.token_type", new int[] {1, 1, 3})
                .putStringArray("tokenizer.ggml.merges", List.of());
        float[] m = {1, 2, 3, 4, 5, 6};
        w.addTensor("m.weight", GgufWriter.TensorType.F32, m, 2, 3);
        w.addTensor("h.weight", GgufWriter.TensorType.F16, new float[] {0.5f, -2f, 65504f}, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        w.write(bytes);
        Parsed p = parse(bytes.toByteArray());
        assertThat(p.kv)
                .containsEntry("general.architecture", "llama")
                .containsEntry("general.alignment", 32L)
                .containsEntry("llama.rope.freq_base", 10000f)
                .containsEntry("tokenizer.ggml.add_bos_token", false)
                .containsEntry("tokenizer.ggml.tokens", List.of("a", "Ġb", "<|endoftext|>"))
                .containsEntry("tokenizer.ggml.token_type", List.of(1, 1, 3))
                .containsEntry("tokenizer.ggml.merges", List.of());
        // ggml order: innermost dimension first
        assertThat(p.dims.get("m.weight")).containsExactly(3L, 2L);
        assertThat(p.types.get("m.weight")).isEqualTo(0);
        assertThat(p.types.get("h.weight")).isEqualTo(1);
        assertThat(p.dataStart % 32).isZero();
        assertThat(p.offsets.get("m.weight")).isZero();
        assertThat(p.offsets.get("h.weight")).isEqualTo(32); // 24 bytes padded to 32
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            assertThat(b.getFloat((int) p.dataStart + 4 * i)).isEqualTo(m[i]);
        }
        int h = (int) (p.dataStart + 32);
        assertThat(Float.float16ToFloat(b.getShort(h))).isEqualTo(0.5f);
        assertThat(Float.float16ToFloat(b.getShort(h + 2))).isEqualTo(-2f);
        assertThat(Float.float16ToFloat(b.getShort(h + 4))).isEqualTo(65504f);
        assertThat(bytes.size() % 32).isZero();
    }

    @Test
    void badInputIsRefusedWithTheName() {
        GgufWriter w = new GgufWriter().putUint32("a", 1);
        assertThatThrownBy(() -> w.putUint32("a", 2)).hasMessageContaining("'a' is set twice");
        assertThatThrownBy(() -> w.putUint32("general.alignment", 24)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.addTensor("t", GgufWriter.TensorType.F32, new float[5], 2, 3))
                .hasMessageContaining("'t'")
                .hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> GgufExport.Dtype.parse("q8_0")).hasMessageContaining("'q8_0'");
    }

    @Test
    void rotaryRowsAreInterleavedPerHead() {
        // 2 heads of width 4, one column: halves [0 1 | 2 3] become pairs [0 2 1 3]
        float[] w = {0, 1, 2, 3, 10, 11, 12, 13};
        assertThat(GgufExport.ropePairs(w, 2, 4, 1)).containsExactly(0, 2, 1, 3, 10, 12, 11, 13);
        // with two columns the rows move whole
        float[] w2 = {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f};
        assertThat(GgufExport.ropePairs(w2, 1, 4, 2)).containsExactly(0, 0.5f, 2, 2.5f, 1, 1.5f, 3, 3.5f);
    }

    @Test
    void architecturesFollowTheOptions() {
        GptConfig.Builder llama =
                GptConfig.builder().setVocabSize(300).setContextLength(16).optDModel(32);
        assertThat(GgufExport.architectureOf(llama.build())).isEqualTo("llama");
        assertThat(GgufExport.architectureOf(llama.optQkvBias(true).build())).isEqualTo("qwen2");
        assertThat(GgufExport.architectureOf(GptConfig.builder()
                        .optArch(GptConfig.Arch.GPT2)
                        .setVocabSize(300)
                        .setContextLength(16)
                        .optDModel(32)
                        .build()))
                .isEqualTo("gpt2");
        GptConfig mixed = GptConfig.builder()
                .setVocabSize(300)
                .setContextLength(16)
                .optDModel(32)
                .optNorm(GptConfig.Norm.LAYERNORM)
                .build();
        assertThatThrownBy(() -> GgufExport.architectureOf(mixed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("norm=layernorm")
                .hasMessageContaining("positions=rope");
    }

    @Test
    void byteTokenizerIsAMergeFreeByteLevelVocabulary() throws Exception {
        GgufWriter w = new GgufWriter();
        GgufVocab.write(w, ByteTokenizer.withCodeSpecials(), 270);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        w.write(bytes);
        Map<String, Object> kv = parse(bytes.toByteArray()).kv;
        @SuppressWarnings("unchecked")
        List<String> tokens = (List<String>) kv.get("tokenizer.ggml.tokens");
        assertThat(tokens).hasSize(270);
        assertThat(tokens.get(' ')).isEqualTo("Ġ"); // GPT-2's byte-to-character table
        assertThat(tokens.get('\n')).isEqualTo("Ċ");
        assertThat(tokens.get('a')).isEqualTo("a");
        assertThat(tokens.get(256)).isEqualTo("<|endoftext|>");
        assertThat(tokens.get(269)).isEqualTo("[PAD269]");
        @SuppressWarnings("unchecked")
        List<Integer> types = (List<Integer>) kv.get("tokenizer.ggml.token_type");
        assertThat(types.get('a')).isEqualTo(1);
        assertThat(types.get(256)).isEqualTo(3);
        assertThat(types.get(269)).isEqualTo(5);
        assertThat(kv)
                .containsEntry("tokenizer.ggml.merges", List.of())
                .containsEntry("tokenizer.ggml.model", "gpt2")
                .containsEntry("tokenizer.ggml.eos_token_id", 256L);
        assertThatThrownBy(() -> GgufVocab.write(new GgufWriter(), ByteTokenizer.withCodeSpecials(), 100))
                .hasMessageContaining("263 ids")
                .hasMessageContaining("100");
    }

    record Parsed(
            Map<String, Object> kv,
            Map<String, List<Long>> dims,
            Map<String, Integer> types,
            Map<String, Long> offsets,
            long dataStart) {}

    static Parsed parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        assertThat(b.getInt()).isEqualTo(3);
        long nTensors = b.getLong();
        long nKv = b.getLong();
        Map<String, Object> kv = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = str(b);
            kv.put(key, value(b, b.getInt()));
        }
        Map<String, List<Long>> dims = new LinkedHashMap<>();
        Map<String, Integer> types = new LinkedHashMap<>();
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = str(b);
            int n = b.getInt();
            List<Long> d = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                d.add(b.getLong());
            }
            dims.put(name, d);
            types.put(name, b.getInt());
            offsets.put(name, b.getLong());
        }
        long align = (Long) kv.getOrDefault("general.alignment", 32L);
        long start = (b.position() + align - 1) / align * align;
        return new Parsed(kv, dims, types, offsets, start);
    }

    private static String str(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 4 -> Integer.toUnsignedLong(b.getInt());
            case 5 -> b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> str(b);
            case 10 -> b.getLong();
            case 9 -> {
                int t = b.getInt();
                long n = b.getLong();
                List<Object> l = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    l.add(value(b, t));
                }
                yield l;
            }
            default -> throw new AssertionError("unexpected gguf type " + type);
        };
    }
}
