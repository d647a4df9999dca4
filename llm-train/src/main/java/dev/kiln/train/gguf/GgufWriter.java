package dev.kiln.train.gguf;

import dev.kiln.core.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file (ggml's single-file model format, read by llama.cpp, Ollama and LM Studio):
 * the header ({@code "GGUF"}, version 3, tensor count, key/value count), typed metadata key/values
 * (scalars, strings, arrays), the tensor infos (name, dimensions in ggml's order — innermost
 * first —, ggml type, offset), padding to {@code general.alignment} (32 unless set), then each
 * tensor's data at its aligned offset. Everything is little-endian; strings are a {@code uint64}
 * byte length and UTF-8 bytes without a terminator.
 *
 * <pre>{@code
 * GgufWriter w = new GgufWriter();
 * w.putString("general.architecture", "llama");
 * w.putUint32("llama.block_count", 4);
 * w.putStringArray("tokenizer.ggml.tokens", List.of("a", "b"));
 * w.addTensor("token_embd.weight", GgufWriter.TensorType.F16, embedding, vocab, dModel); // row-major shape
 * w.write(Path.of("model.gguf"));
 * }</pre>
 *
 * <p>Shapes are given as PyTorch writes them (outermost first, row-major data); the writer stores
 * them reversed, as ggml numbers its dimensions. F16 tensors are rounded to nearest even.
 */
public final class GgufWriter {

    /** {@code "GGUF"} as the first four bytes of the file. */
    static final byte[] MAGIC = {'G', 'G', 'U', 'F'};
    /** The format version written. */
    public static final int VERSION = 3;
    /** The alignment of tensor data unless {@code general.alignment} says otherwise. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The metadata key that sets the alignment. */
    public static final String ALIGNMENT_KEY = "general.alignment";

    // gguf_type
    static final int UINT8 = 0;
    static final int INT8 = 1;
    static final int UINT16 = 2;
    static final int INT16 = 3;
    static final int UINT32 = 4;
    static final int INT32 = 5;
    static final int FLOAT32 = 6;
    static final int BOOL = 7;
    static final int STRING = 8;
    static final int ARRAY = 9;
    static final int UINT64 = 10;
    static final int INT64 = 11;
    static final int FLOAT64 = 12;

    /** The ggml tensor types this writer produces. */
    public enum TensorType {
        /** ggml type 0, 4 bytes per element. */
        F32(0, 4),
        /** ggml type 1, 2 bytes per element. */
        F16(1, 2);

        private final int ggmlType;
        private final int bytes;

        TensorType(int ggmlType, int bytes) {
            this.ggmlType = ggmlType;
            this.bytes = bytes;
        }

        /** ggml's number for the type ({@code GGML_TYPE_F32 = 0}, {@code GGML_TYPE_F16 = 1}). */
        public int ggmlType() {
            return ggmlType;
        }

        /** Bytes per element. */
        public int bytesPerElement() {
            return bytes;
        }
    }

    private record Value(int type, Object value) {}

    private record Tensor(String name, TensorType type, float[] data, long[] shape) {
        long byteSize() {
            return (long) data.length * type.bytes;
        }
    }

    private final Map<String, Value> kvs = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** Sets a {@code uint32} value. */
    public GgufWriter putUint32(String key, long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("'" + key + "' = " + v + " does not fit in a uint32");
        }
        return put(key, UINT32, v);
    }

    /** Sets an {@code int32} value. */
    public GgufWriter putInt32(String key, int v) {
        return put(key, INT32, v);
    }

    /** Sets a {@code uint64} value. */
    public GgufWriter putUint64(String key, long v) {
        return put(key, UINT64, v);
    }

    /** Sets a {@code float32} value. */
    public GgufWriter putFloat32(String key, float v) {
        return put(key, FLOAT32, v);
    }

    /** Sets a {@code bool} value. */
    public GgufWriter putBool(String key, boolean v) {
        return put(key, BOOL, v);
    }

    /** Sets a string value. */
    public GgufWriter putString(String key, String v) {
        return put(key, STRING, requireNonNull(key, v));
    }

    /** Sets an array of strings (may be empty). */
    public GgufWriter putStringArray(String key, List<String> v) {
        for (String s : requireNonNull(key, v)) {
            requireNonNull(key, s);
        }
        return put(key, ARRAY, new Object[] {STRING, List.copyOf(v)});
    }

    /** Sets an array of {@code int32}. */
    public GgufWriter putInt32Array(String key, int[] v) {
        return put(key, ARRAY, new Object[] {INT32, requireNonNull(key, v).clone()});
    }

    /** Sets an array of {@code float32}. */
    public GgufWriter putFloat32Array(String key, float[] v) {
        return put(key, ARRAY, new Object[] {FLOAT32, requireNonNull(key, v).clone()});
    }

    /** The keys set so far, in order. */
    public List<String> keys() {
        return List.copyOf(kvs.keySet());
    }

    /** The tensor names added so far, in order. */
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    /**
     * Adds a tensor. {@code shape} is outermost first (a {@code [rows, cols]} matrix of row-major
     * {@code data}); the file stores the dimensions innermost first, as ggml does.
     */
    public GgufWriter addTensor(String name, TensorType type, float[] data, long... shape) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tensor needs a name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length >= 64) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than ggml's 63 bytes");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' is added twice");
        }
        if (data == null) {
            throw new IllegalArgumentException("tensor '" + name + "' has no data");
        }
        if (shape.length == 0 || shape.length > 4) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' has " + shape.length + " dimensions; ggml tensors have 1 to 4");
        }
        long n = 1;
        for (long s : shape) {
            if (s <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + "; every dimension must be positive");
            }
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape) + " (" + n
                    + " values) but " + data.length + " values");
        }
        tensors.put(name, new Tensor(name, type, data, shape.clone()));
        return this;
    }

    private GgufWriter put(String key, int type, Object v) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a metadata key must not be empty");
        }
        if (kvs.containsKey(key)) {
            throw new IllegalArgumentException("metadata key '" + key + "' is set twice");
        }
        if (key.equals(ALIGNMENT_KEY)) {
            long a = type == UINT32 ? (Long) v : -1;
            if (a <= 0 || (a & (a - 1)) != 0) {
                throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a uint32 power of two, got " + v);
            }
        }
        kvs.put(key, new Value(type, v));
        return this;
    }

    private static <T> T requireNonNull(String key, T v) {
        if (v == null) {
            throw new IllegalArgumentException("metadata key '" + key + "' has a null value");
        }
        return v;
    }

    private int alignment() {
        Value v = kvs.get(ALIGNMENT_KEY);
        return v == null ? DEFAULT_ALIGNMENT : (int) (long) (Long) v.value();
    }

    /** Writes the file atomically (a temporary file renamed into place). */
    public void write(Path file) throws IOException {
        try (AtomicFiles.Output out = AtomicFiles.open(file)) {
            write(out.stream());
            out.commit();
        }
    }

    /** Writes the file to {@code stream} (not closed). */
    public void write(OutputStream stream) throws IOException {
        int align = alignment();
        Sink s = new Sink(new BufferedOutputStream(stream, 1 << 16));
        s.bytes(MAGIC);
        s.u32(VERSION);
        s.u64(tensors.size());
        s.u64(kvs.size());
        for (Map.Entry<String, Value> e : kvs.entrySet()) {
            s.string(e.getKey());
            s.u32(e.getValue().type());
            value(s, e.getValue().type(), e.getValue().value());
        }
        List<Tensor> list = new ArrayList<>(tensors.values());
        long offset = 0;
        for (Tensor t : list) {
            s.string(t.name());
            s.u32(t.shape().length);
            for (int i = t.shape().length - 1; i >= 0; i--) {
                s.u64(t.shape()[i]);
            }
            s.u32(t.type().ggmlType());
            s.u64(offset);
            offset = pad(offset + t.byteSize(), align);
        }
        s.zeros(pad(s.position, align) - s.position);
        long dataStart = s.position;
        for (Tensor t : list) {
            tensorData(s, t);
            s.zeros(pad(s.position - dataStart, align) - (s.position - dataStart));
        }
        s.flush();
    }

    static long pad(long n, int align) {
        return (n + align - 1) / align * align;
    }

    @SuppressWarnings("unchecked")
    private static void value(Sink s, int type, Object v) throws IOException {
        switch (type) {
            case UINT32 -> s.u32((int) (long) (Long) v);
            case INT32 -> s.u32((Integer) v);
            case UINT64 -> s.u64((Long) v);
            case FLOAT32 -> s.u32(Float.floatToRawIntBits((Float) v));
            case BOOL -> s.u8((Boolean) v ? 1 : 0);
            case STRING -> s.string((String) v);
            case ARRAY -> {
                Object[] a = (Object[]) v;
                int elem = (Integer) a[0];
                s.u32(elem);
                switch (elem) {
                    case STRING -> {
                        List<String> l = (List<String>) a[1];
                        s.u64(l.size());
                        for (String x : l) {
                            s.string(x);
                        }
                    }
                    case INT32 -> {
                        int[] l = (int[]) a[1];
                        s.u64(l.length);
                        for (int x : l) {
                            s.u32(x);
                        }
                    }
                    case FLOAT32 -> {
                        float[] l = (float[]) a[1];
                        s.u64(l.length);
                        for (float x : l) {
                            s.u32(Float.floatToRawIntBits(x));
                        }
                    }
                    default -> throw new IllegalStateException("array of type " + elem);
                }
            }
            default -> throw new IllegalStateException("type " + type);
        }
    }

    private static void tensorData(Sink s, Tensor t) throws IOException {
        float[] d = t.data();
        ByteBuffer b = s.buf;
        for (int i = 0; i < d.length; ) {
            b.clear();
            int n = Math.min(d.length - i, b.capacity() / 4);
            if (t.type() == TensorType.F32) {
                for (int k = 0; k < n; k++) {
                    b.putFloat(d[i + k]);
                }
            } else {
                for (int k = 0; k < n; k++) {
                    b.putShort(Float.floatToFloat16(d[i + k]));
                }
            }
            s.out.write(b.array(), 0, b.position());
            s.position += b.position();
            i += n;
        }
    }

    /** A little-endian stream that counts its bytes. */
    private static final class Sink {
        final OutputStream out;
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private final byte[] scratch = new byte[8];
        long position;

        Sink(OutputStream out) {
            this.out = out;
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
            position += b.length;
        }

        void u8(int v) throws IOException {
            out.write(v);
            position++;
        }

        void u32(int v) throws IOException {
            for (int i = 0; i < 4; i++) {
                scratch[i] = (byte) (v >>> (8 * i));
            }
            out.write(scratch, 0, 4);
            position += 4;
        }

        void u64(long v) throws IOException {
            for (int i = 0; i < 8; i++) {
                scratch[i] = (byte) (v >>> (8 * i));
            }
            out.write(scratch, 0, 8);
            position += 8;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void zeros(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                out.write(0);
            }
            position += n;
        }

        void flush() throws IOException {
            out.flush();
        }
    }
}
