package dev.kiln.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.kiln.core.CorruptArtifactException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A GPT-2-architecture decoder as a DJL {@link ai.djl.nn.Block}: learned token and position
 * embeddings, {@code layers} pre-LN blocks (layer norm over the feature axis only, eps 1e-5; causal
 * multi-head self-attention; tanh-GELU MLP), a final layer norm and an output projection tied to the
 * token embedding. Parameters carry Hugging Face GPT-2 names without the {@code transformer.}
 * prefix ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...); linear weights are stored
 * {@code [out, in]} (PyTorch's {@code nn.Linear} layout; HF's {@code Conv1D} is the transpose).
 *
 * <pre>{@code
 * try (GptModel model = GptModel.create(config, 42, Device.cpu());
 *      NDManager step = model.manager().newSubManager()) {
 *     NDArray ids = step.create(new int[][] {{1, 2, 3}});
 *     NDArray logits = model.forward(ids, false);     // [1, 3, vocab], owned by `step`
 * }
 * }</pre>
 *
 * <p>Every array a forward pass creates belongs to the manager of its input ids, so closing that
 * (sub-)manager frees them; the model's own manager holds only parameters and constants.
 */
public final class GptModel extends AbstractBlock implements AutoCloseable {

    private static final int MAGIC = 0x4B4C4E50; // "KLNP"
    private static final int FORMAT_VERSION = 1;

    private final GptConfig config;
    private final NDManager manager;
    private final Parameter wte;
    private final Parameter wpe;
    private final Parameter lnfW;
    private final Parameter lnfB;
    private final Parameter lmHead;
    private final Layer[] blocks;
    private final List<Parameter> ordered = new ArrayList<>();
    private final NDArray attnScale;
    private final NDArray geluA;
    private final NDArray geluB;
    private final NDArray geluB3;
    private final NDArray one;
    private final Shape normShape;
    private final NDArray causalMask;
    private final NDArray positionIds;

    /** The parameters of one transformer block. */
    private record Layer(
            Parameter ln1W,
            Parameter ln1B,
            Parameter qkvW,
            Parameter qkvB,
            Parameter projW,
            Parameter projB,
            Parameter ln2W,
            Parameter ln2B,
            Parameter fcW,
            Parameter fcB,
            Parameter fc2W,
            Parameter fc2B) {}

    /**
     * Attention over cached keys and values, for incremental decoding. The model gives each
     * layer's new keys and values; the cache stores them and returns everything to attend over.
     */
    public interface KvCache {
        /**
         * Stores {@code k, v} ({@code [B, H, n, hd]}) of layer {@code layer} and returns the keys
         * and values to attend over ({@code [B, H, S, hd]}); arrays must belong to the step's
         * manager.
         */
        NDArray[] append(int layer, NDArray k, NDArray v);

        /** Additive attention bias broadcastable to {@code [B, H, n, S]} (0 = visible, -inf = masked). */
        NDArray bias();
    }

    private GptModel(GptConfig config, NDManager manager, Map<String, float[]> values) {
        super((byte) 1);
        this.config = config;
        this.manager = manager;
        int d = config.dModel();
        int f = config.mlpWidth();
        int v = config.vocabSize();
        this.normShape = new Shape(d);
        this.wte = param("wte.weight", values, new Shape(v, d));
        this.wpe = param("wpe.weight", values, new Shape(config.contextLength(), d));
        this.blocks = new Layer[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "h." + i + ".";
            blocks[i] = new Layer(
                    param(p + "ln_1.weight", values, new Shape(d)),
                    param(p + "ln_1.bias", values, new Shape(d)),
                    param(p + "attn.c_attn.weight", values, new Shape(3L * d, d)),
                    param(p + "attn.c_attn.bias", values, new Shape(3L * d)),
                    param(p + "attn.c_proj.weight", values, new Shape(d, d)),
                    param(p + "attn.c_proj.bias", values, new Shape(d)),
                    param(p + "ln_2.weight", values, new Shape(d)),
                    param(p + "ln_2.bias", values, new Shape(d)),
                    param(p + "mlp.c_fc.weight", values, new Shape(f, d)),
                    param(p + "mlp.c_fc.bias", values, new Shape(f)),
                    param(p + "mlp.c_proj.weight", values, new Shape(d, f)),
                    param(p + "mlp.c_proj.bias", values, new Shape(d)));
        }
        this.lnfW = param("ln_f.weight", values, new Shape(d));
        this.lnfB = param("ln_f.bias", values, new Shape(d));
        this.lmHead = config.tiedEmbeddings() ? null : param("lm_head.weight", values, new Shape(v, d));
        this.attnScale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        double a = 2 * Math.sqrt(2 / Math.PI);
        this.geluA = manager.create((float) a);
        this.geluB = manager.create((float) (a * 0.044715));
        this.geluB3 = manager.create((float) (3 * a * 0.044715));
        this.one = manager.create(1f);
        this.causalMask = buildCausalMask(config.contextLength());
        this.positionIds = manager.arange(0, config.contextLength(), 1, DataType.INT64);
    }

    private Parameter param(String name, Map<String, float[]> values, Shape shape) {
        float[] data = values.get(name);
        if (data == null) {
            throw new IllegalArgumentException("no values for parameter '" + name + "'");
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("parameter '" + name + "' has " + data.length + " values, its shape "
                    + shape + " needs " + shape.size());
        }
        NDArray array = manager.create(data, shape);
        array.setName(name);
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(name.endsWith("bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT)
                .optArray(array)
                .build();
        addParameter(p);
        ordered.add(p);
        return p;
    }

    /**
     * A freshly initialised model, GPT-2 style: weights and embeddings ~ N(0, 0.02), residual
     * output projections ~ N(0, 0.02/√(2·layers)), biases 0, norms 1. Deterministic in {@code
     * seed} on every machine (drawn in Java, not by the engine).
     */
    public static GptModel create(GptConfig config, long seed, Device device) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
            String name = e.getKey();
            int n = Math.toIntExact(e.getValue().size());
            float[] data = new float[n];
            if (name.contains("ln_")) {
                if (name.endsWith("weight")) {
                    java.util.Arrays.fill(data, 1f);
                }
            } else if (!name.endsWith("bias")) {
                double std = GptConfig.INIT_STD;
                if (name.endsWith("c_proj.weight")) {
                    std /= Math.sqrt(2.0 * config.layers());
                }
                SplittableRandom rng = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
                for (int i = 0; i < n; i++) {
                    data[i] = (float) (rng.nextGaussian() * std);
                }
            }
            values.put(name, data);
        }
        return fromValues(config, values, device);
    }

    /** A model with the given parameter values (by name), e.g. read from another format. */
    public static GptModel fromValues(GptConfig config, Map<String, float[]> values, Device device) {
        NDManager m = NDManager.newBaseManager(device == null ? Device.cpu() : device);
        try {
            return new GptModel(config, m, values);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Parameter names and shapes, in the model's canonical order. */
    public static Map<String, Shape> parameterShapes(GptConfig c) {
        Map<String, Shape> m = new LinkedHashMap<>();
        long d = c.dModel();
        long f = c.mlpWidth();
        m.put("wte.weight", new Shape(c.vocabSize(), d));
        m.put("wpe.weight", new Shape(c.contextLength(), d));
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            m.put(p + "ln_1.weight", new Shape(d));
            m.put(p + "ln_1.bias", new Shape(d));
            m.put(p + "attn.c_attn.weight", new Shape(3 * d, d));
            m.put(p + "attn.c_attn.bias", new Shape(3 * d));
            m.put(p + "attn.c_proj.weight", new Shape(d, d));
            m.put(p + "attn.c_proj.bias", new Shape(d));
            m.put(p + "ln_2.weight", new Shape(d));
            m.put(p + "ln_2.bias", new Shape(d));
            m.put(p + "mlp.c_fc.weight", new Shape(f, d));
            m.put(p + "mlp.c_fc.bias", new Shape(f));
            m.put(p + "mlp.c_proj.weight", new Shape(d, f));
            m.put(p + "mlp.c_proj.bias", new Shape(d));
        }
        m.put("ln_f.weight", new Shape(d));
        m.put("ln_f.bias", new Shape(d));
        if (!c.tiedEmbeddings()) {
            m.put("lm_head.weight", new Shape(c.vocabSize(), d));
        }
        return m;
    }

    public GptConfig config() {
        return config;
    }

    /** The manager owning the parameters; open per-step sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    /** All parameters in canonical order. */
    public List<Parameter> parameterList() {
        return Collections.unmodifiableList(ordered);
    }

    /** Number of trainable scalars (equals {@link GptConfig#parameterCount()}). */
    public long countParameters() {
        long n = 0;
        for (Parameter p : ordered) {
            n += p.getArray().size();
        }
        return n;
    }

    /**
     * Logits {@code [B, T, vocab]} of token ids {@code [B, T]} (int32 or int64), causal.
     *
     * @param training applies dropout when the config has any
     */
    public NDArray forward(NDArray ids, boolean training) {
        return forward(ids, null, training, null);
    }

    /**
     * The general forward pass: {@code positions} ({@code [B, n]} or {@code [n]} ids into the
     * position table, or {@code null} for {@code 0..n-1}) and an optional {@link KvCache}.
     */
    public NDArray forward(NDArray ids, NDArray positions, boolean training, KvCache cache) {
        return forward(ids, positions, training, cache, false);
    }

    /** The forward pass; {@code rows} returns the logits as {@code [B·T, vocab]}. */
    private NDArray forward(NDArray ids, NDArray positions, boolean training, KvCache cache, boolean rows) {
        NDManager m = ids.getManager();
        Shape s = ids.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("token ids must be [batch, time], got shape " + s);
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        if (cache == null && t > config.contextLength()) {
            throw new IllegalArgumentException(
                    "sequence of " + t + " tokens exceeds the context length " + config.contextLength());
        }
        boolean drop = training && config.dropout() > 0;
        float rate = (float) config.dropout();
        NDArray x = Embedding.embedding(ids, wte.getArray(), SparseFormat.DENSE).head();
        NDArray pos;
        if (positions == null) {
            NDArray pid;
            if (t == config.contextLength()) {
                pid = positionIds; // the full table: no slicing (the usual training shape)
            } else {
                pid = positionIds.get(new NDIndex("0:{}", t));
                pid.attach(m);
            }
            pos = Embedding.embedding(pid, wpe.getArray(), SparseFormat.DENSE).head();
            pos.attach(m);
        } else {
            pos = Embedding.embedding(positions, wpe.getArray(), SparseFormat.DENSE)
                    .head();
        }
        // Activations are kept as [B·T, D] rows: the engine's linear layer fuses the bias into the
        // matrix product (addmm) only for 2-D inputs.
        x = x.add(pos).reshape(b * (long) t, config.dModel());
        if (drop) {
            x = Dropout.dropout(x, rate, true).head();
        }
        NDArray bias;
        if (cache == null) {
            if (t == config.contextLength()) {
                bias = causalMask;
            } else {
                bias = causalMask.get(new NDIndex("0:{}, 0:{}", t, t));
                bias.attach(m);
            }
        } else {
            bias = cache.bias();
        }
        int h = config.heads();
        int hd = config.headDim();
        int d = config.dModel();
        for (int i = 0; i < blocks.length; i++) {
            Layer l = blocks[i];
            NDArray n1 = LayerNorm.layerNorm(
                            x, normShape, l.ln1W.getArray(), l.ln1B.getArray(), GptConfig.LAYER_NORM_EPS)
                    .head();
            NDArray qkv =
                    Linear.linear(n1, l.qkvW.getArray(), l.qkvB.getArray()).head();
            NDList parts = qkv.reshape(b, t, 3, h, hd).transpose(2, 0, 3, 1, 4).split(3, 0);
            NDArray q = parts.get(0).squeeze(0);
            NDArray k = parts.get(1).squeeze(0);
            NDArray v = parts.get(2).squeeze(0);
            if (cache != null) {
                NDArray[] kv = cache.append(i, k, v);
                k = kv[0];
                v = kv[1];
            }
            NDArray y = attention(q, k, v, bias, b, t, d, drop, rate);
            y = Linear.linear(y, l.projW.getArray(), l.projB.getArray()).head();
            if (drop) {
                y = Dropout.dropout(y, rate, true).head();
            }
            x = y.addi(x); // y (a linear output) is not saved for the backward pass
            NDArray n2 = LayerNorm.layerNorm(
                            x, normShape, l.ln2W.getArray(), l.ln2B.getArray(), GptConfig.LAYER_NORM_EPS)
                    .head();
            NDArray u = Linear.linear(n2, l.fcW.getArray(), l.fcB.getArray()).head();
            u = geluTanh(u);
            u = Linear.linear(u, l.fc2W.getArray(), l.fc2B.getArray()).head();
            if (drop) {
                u = Dropout.dropout(u, rate, true).head();
            }
            x = u.addi(x);
        }
        x = LayerNorm.layerNorm(x, normShape, lnfW.getArray(), lnfB.getArray(), GptConfig.LAYER_NORM_EPS)
                .head();
        NDArray head = lmHead == null ? wte.getArray() : lmHead.getArray();
        NDArray logits = Linear.linear(x, head).head();
        if (rows) {
            return logits;
        }
        NDArray shaped = logits.reshape(b, t, config.vocabSize());
        logits.close();
        return shaped;
    }

    /** Softmax attention of {@code q} over {@code k, v} with an additive mask, as {@code [B·n, D]} rows. */
    private NDArray attention(
            NDArray q, NDArray k, NDArray v, NDArray bias, int b, int n, int d, boolean drop, float rate) {
        // Scaling q ([B, H, n, hd]) is cheaper than scaling the [B, H, n, S] scores. The mask is
        // added in place, and arrays the backward pass does not keep are closed as soon as they are
        // used, so their memory is reused (still in cache) by the next allocation instead of
        // staying to the end of the step.
        NDArray scores = q.mul(attnScale).matMul(k.swapAxes(2, 3)).addi(bias);
        NDArray att = scores.softmax(-1);
        scores.close(); // softmax keeps only its output
        if (drop) {
            att = Dropout.dropout(att, rate, true).head();
        }
        NDArray av = att.matMul(v);
        NDArray avT = av.transpose(0, 2, 1, 3);
        NDArray y = avT.reshape(b * (long) n, d); // a copy: avT is not contiguous
        avT.close();
        av.close();
        return y;
    }

    /**
     * GPT-2's tanh-approximated GELU, as {@code g(x) = x·σ(x·(a + b·x²))} with {@code a = 2√(2/π)},
     * {@code b = 0.044715·a}. The engine has no fused tanh-GELU, and autograd through the six
     * elementwise ops cost ~30% of a training step. So value and derivative {@code g'(x) = σ + w·(1
     * − σ)}, {@code w = g·(a + 3b·x²)}, are computed outside the graph, and the result is written
     * over {@code x} in place by three graph operations: {@code x −= x̄} ({@code x̄} detached, so
     * the value is 0 and the gradient passes through), {@code x ·= g'} (the backward pass is one
     * multiplication) and {@code x += g} (the value is exactly {@code g}). Large elementwise
     * results cost most when they land in memory the step has not touched yet, so temporaries are
     * few, updated in place and freed as soon as they are used.
     *
     * <p>In training (gradient collection on) {@code x} must be a non-leaf array that nothing else
     * needs, like a linear layer's output: its storage becomes the result. Outside training {@code
     * x} is left alone and only {@code g} is computed.
     */
    NDArray geluTanh(NDArray x) {
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        NDArray xd = grad ? x.stopGradient() : x; // shares x's storage
        NDArray x2 = xd.mul(xd); // faster than square(), which the engine runs as pow
        NDArray z = x2.mul(geluB).addi(geluA).muli(xd); // x·(a + b·x²)
        NDArray s = ai.djl.nn.Activation.sigmoid(z);
        z.close();
        if (!grad) {
            x2.close();
            return s.muli(xd);
        }
        NDArray g = xd.mul(s);
        NDArray w = x2.muli(geluB3).addi(geluA).muli(g); // w = g·(a + 3b·x²)
        w.negi().addi(one); // 1 − w
        NDArray gp = s.muli(w).subi(w).addi(one); // σ·(1 − w) + w = g'
        x.subi(xd).muli(gp).addi(g);
        w.close();
        g.close();
        return x;
    }

    /** Mean next-token cross-entropy (nats) of logits for {@code ids} against {@code targets}. */
    public NDArray loss(NDArray ids, NDArray targets, boolean training) {
        NDArray logits = forward(ids, null, training, null, true);
        NDArray lp = logits.logSoftmax(1);
        logits.close(); // log-softmax keeps only its output
        return nll(lp, targets);
    }

    /** Mean cross-entropy of logits {@code [B, T, V]} against integer targets {@code [B, T]}. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        long v = logits.getShape().get(logits.getShape().dimension() - 1);
        return nll(logits.reshape(-1, v).logSoftmax(1), targets);
    }

    /** Mean negative log-likelihood of log-probabilities {@code [N, V]} at integer targets ({@code N} values). */
    private static NDArray nll(NDArray lp, NDArray targets) {
        NDArray idx = targets.getDataType() == DataType.INT64 ? targets : targets.toType(DataType.INT64, false);
        return lp.gather(idx.reshape(-1, 1), 1).mean().neg();
    }

    private NDArray buildCausalMask(int n) {
        float[] data = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                data[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(data, new Shape(n, n));
    }

    // ---------------------------------------------------------------------------------------
    // DJL Block plumbing

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
    }

    // ---------------------------------------------------------------------------------------
    // Persistence

    /** Parameter values by name (a copy). */
    public Map<String, float[]> values() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Parameter p : ordered) {
            m.put(p.getName(), p.getArray().toFloatArray());
        }
        return m;
    }

    /**
     * Writes the parameters to {@code out}: magic, version, count, then per parameter its name,
     * shape and little-endian float32 values, then a CRC-32 of everything before it.
     */
    public void saveParameters(OutputStream out) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.writeInt(MAGIC);
        data.writeInt(FORMAT_VERSION);
        data.writeInt(ordered.size());
        for (Parameter p : ordered) {
            NDArray a = p.getArray();
            data.writeUTF(p.getName());
            long[] shape = a.getShape().getShape();
            data.writeInt(shape.length);
            for (long dim : shape) {
                data.writeLong(dim);
            }
            float[] values = a.toFloatArray();
            ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(values);
            data.write(bb.array());
        }
        data.flush();
        long crc = checked.getChecksum().getValue();
        data.writeLong(crc);
        data.flush();
    }

    /** Saves to a file (see {@link #saveParameters(OutputStream)}). */
    public void saveParameters(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            saveParameters(out);
        }
    }

    /**
     * Reads parameter values written by {@link #saveParameters(OutputStream)}, checking names,
     * shapes and the checksum against {@code config}.
     *
     * @throws CorruptArtifactException when the file is truncated, damaged or for another shape
     */
    public static Map<String, float[]> readParameters(Path file, GptConfig config) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no model parameters file");
        }
        Map<String, Shape> expected = parameterShapes(config);
        Map<String, float[]> values = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != MAGIC) {
                throw new CorruptArtifactException(file, "is not a Kiln model parameters file (bad magic)");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new CorruptArtifactException(
                        file, "has format version " + version + ", expected " + FORMAT_VERSION);
            }
            int count = in.readInt();
            if (count != expected.size()) {
                throw new CorruptArtifactException(
                        file, "holds " + count + " parameters, the config " + config + " needs " + expected.size());
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new CorruptArtifactException(file, "parameter '" + name + "' has rank " + rank);
                }
                long[] dims = new long[rank];
                for (int j = 0; j < rank; j++) {
                    dims[j] = in.readLong();
                }
                Shape shape = new Shape(dims);
                Shape want = expected.get(name);
                if (!shape.equals(want)) {
                    throw new CorruptArtifactException(
                            file,
                            "parameter '" + name + "' has shape " + shape + ", the config needs "
                                    + (want == null ? "no such parameter" : want.toString()));
                }
                byte[] bytes = new byte[Math.toIntExact(shape.size() * 4)];
                in.readFully(bytes);
                float[] v = new float[bytes.length / 4];
                ByteBuffer.wrap(bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(v);
                values.put(name, v);
            }
            long computed = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (computed != stored) {
                throw new CorruptArtifactException(file, "checksum mismatch (the file is damaged)");
            }
        } catch (EOFException e) {
            throw new CorruptArtifactException(file, "is truncated", e);
        }
        return values;
    }

    /** Copies values into this model's parameters (same names and sizes). */
    public void setValues(Map<String, float[]> values) {
        for (Parameter p : ordered) {
            float[] v = values.get(p.getName());
            if (v == null || v.length != p.getArray().size()) {
                throw new IllegalArgumentException("missing or mis-sized values for parameter '" + p.getName() + "'");
            }
            p.getArray().set(v);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
