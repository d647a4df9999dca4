package dev.kiln.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer as a DJL {@link ai.djl.nn.Block}, for every architecture {@link
 * GptConfig} describes: GPT-2 (learned positions, LayerNorm, tanh-GELU, biases) and the Llama family
 * (rotary positions, RMSNorm, SwiGLU, grouped-query attention, optional QKV biases as in Qwen2).
 * One forward pass serves training, KV-cache generation and export.
 *
 * <p>Parameters carry role names in GPT-2's scheme whatever the architecture ({@code wte.weight},
 * {@code h.0.attn.c_attn.weight}, ...): queries, keys and values are one fused projection ({@code
 * [(heads + 2·kv_heads)·head_dim, d]}, queries first), and SwiGLU's gate and up projections are one
 * {@code [2·hidden, d]} matrix (gate first), so each is one matrix product. Linear weights are
 * stored {@code [out, in]} (PyTorch's {@code nn.Linear} layout). The Hugging Face and GGUF
 * exporters map these names to each format's own.
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

    private final GptConfig config;
    private final NDManager manager;
    private final Parameter wte;
    private final Parameter wpe;
    private final Parameter lnfW;
    private final Parameter lnfB;
    private final Parameter lmHead;
    private final Layer[] blocks;
    private final List<Parameter> ordered = new ArrayList<>();
    private final NDArray positionIds;
    private final DecoderOps ops;
    private final Attention attn;

    /** The parameters of one transformer block; biases are null when the config has none. */
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
     * layer's new keys and values (after rotary embedding, {@code kv_heads} heads); the cache stores
     * them and returns everything to attend over.
     */
    public interface KvCache {
        /**
         * Stores {@code k, v} ({@code [B, kv_heads, n, hd]}) of layer {@code layer} and returns the
         * keys and values to attend over ({@code [B, kv_heads, S, hd]}); arrays must belong to the
         * step's manager.
         */
        NDArray[] append(int layer, NDArray k, NDArray v);

        /**
         * Additive attention bias ({@code 0} = visible, {@code -inf} = masked) of shape {@code [n,
         * S]} or {@code [B, 1, n, S]}.
         */
        NDArray bias();

        /**
         * The rows (indices {@code b·n + j} into the flattened {@code [B, n]} input, int64) whose
         * logits are needed, or {@code null} (the default) for all. With rows given, the forward
         * pass returns their logits as {@code [rows, vocab]} and skips the final norm and LM head of
         * every other position: a prompt chunk needs only its last position's logits.
         */
        default NDArray logitRows() {
            return null;
        }
    }

    /**
     * Keys and values in a store addressed by rows (a serving engine's block pool), for an
     * inference pass whose rows form consecutive <em>groups</em> that attend separately: the
     * one-token rows of decoding sequences and the chunks of prompts run as one pass, every matrix
     * product and normalisation once over all rows, and only the attention per group, each over its
     * own width with its own mask. Group {@code g} is {@code batch(g)} sequences of {@code
     * tokens(g)} rows each (padding included), consecutive in the flattened input, groups in order.
     * Used by {@link #forwardGrouped}.
     */
    public interface GroupedKvCache {
        /** The number of groups (at least 1). */
        int groups();

        /** The sequences of group {@code g}. */
        int batch(int g);

        /** The rows of each sequence of group {@code g}. */
        int tokens(int g);

        /** Stores layer {@code layer}'s new keys and values, {@code [N, kv_heads, hd]} in the input's row order. */
        void write(int layer, NDArray k, NDArray v);

        /**
         * The keys and values group {@code g} attends over in layer {@code layer}, head-major:
         * contiguous {@code [kv_heads, batch(g), S, hd]} arrays (the attention reads them as {@code
         * kv_heads·batch} matrices without a copy), in the step's manager; called after {@link
         * #write} of the same layer.
         */
        NDArray[] read(int layer, int g);

        /** Additive attention bias of group {@code g}: {@code [batch(g), 1, tokens(g), S]}. */
        NDArray bias(int g);

        /**
         * The rows (int64 indices into the flattened input) whose logits are needed, or {@code
         * null} for all; see {@link KvCache#logitRows}.
         */
        NDArray logitRows();
    }

    private GptModel(GptConfig config, NDManager manager, Map<String, float[]> values) {
        super((byte) 1);
        this.config = config;
        this.manager = manager;
        Map<String, Shape> shapes = ParameterLayout.shapes(config);
        for (String name : values.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' is not part of a model with " + config);
            }
        }
        this.wte = param("wte.weight", values, shapes);
        this.wpe = param("wpe.weight", values, shapes);
        this.blocks = new Layer[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "h." + i + ".";
            blocks[i] = new Layer(
                    param(p + "ln_1.weight", values, shapes),
                    param(p + "ln_1.bias", values, shapes),
                    param(p + "attn.c_attn.weight", values, shapes),
                    param(p + "attn.c_attn.bias", values, shapes),
                    param(p + "attn.c_proj.weight", values, shapes),
                    param(p + "attn.c_proj.bias", values, shapes),
                    param(p + "ln_2.weight", values, shapes),
                    param(p + "ln_2.bias", values, shapes),
                    param(p + "mlp.c_fc.weight", values, shapes),
                    param(p + "mlp.c_fc.bias", values, shapes),
                    param(p + "mlp.c_proj.weight", values, shapes),
                    param(p + "mlp.c_proj.bias", values, shapes));
        }
        this.lnfW = param("ln_f.weight", values, shapes);
        this.lnfB = param("ln_f.bias", values, shapes);
        this.lmHead = param("lm_head.weight", values, shapes);
        this.attn = new Attention(config, manager);
        this.positionIds = manager.arange(0, config.contextLength(), 1, DataType.INT64);
        this.ops = new DecoderOps(config, manager);
    }

    /** The parameter {@code name}, or null when the config has no such parameter. */
    private Parameter param(String name, Map<String, float[]> values, Map<String, Shape> shapes) {
        Shape shape = shapes.get(name);
        if (shape == null) {
            return null;
        }
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
     * A freshly initialised model: weights and embeddings ~ N(0, 0.02), residual output
     * projections ~ N(0, 0.02/√(2·layers)) (GPT-2), biases 0, norm weights 1. Deterministic in
     * {@code seed} on every machine (drawn in Java, not by the engine).
     */
    public static GptModel create(GptConfig config, long seed, Device device) {
        return fromValues(config, ParameterLayout.initialValues(config, seed), device);
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

    /** Parameter names and shapes of a config, in the model's canonical order. */
    public static Map<String, Shape> parameterShapes(GptConfig c) {
        return ParameterLayout.shapes(c);
    }

    /** The model's configuration. */
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
     * The general forward pass: {@code positions} ({@code [B, n]} or {@code [n]} absolute
     * positions, or {@code null} for {@code 0..n-1}) and an optional {@link KvCache}.
     */
    public NDArray forward(NDArray ids, NDArray positions, boolean training, KvCache cache) {
        return forward(ids, positions, training, cache, null, false, null, null);
    }

    /**
     * The inference forward pass of {@link #forward(NDArray, NDArray, boolean, KvCache)}, its
     * matrix products against {@code packed} (packed from this model; null: the ordinary products).
     */
    public NDArray forward(NDArray ids, NDArray positions, KvCache cache, PackedWeights packed) {
        return forward(ids, positions, false, cache, null, false, null, packed);
    }

    /**
     * The grouped inference pass over a {@link GroupedKvCache}: {@code ids} and {@code positions}
     * ({@code [1, N]}) are the rows of every group, in order; returns the logits of the cache's
     * logit rows (or of every row) as {@code [rows, vocab]}. The matrix products run against
     * {@code packed} when given.
     *
     * <pre>{@code
     * // 8 decoding rows and a 32-token prompt chunk: one pass, two attention groups
     * NDArray logits = model.forwardGrouped(ids, positions, cache, packed); // ids [1, 40]
     * }</pre>
     */
    public NDArray forwardGrouped(NDArray ids, NDArray positions, GroupedKvCache cache, PackedWeights packed) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || s.get(0) != 1) {
            throw new IllegalArgumentException("grouped token ids must be [1, rows], got shape " + s);
        }
        if (positions == null || !positions.getShape().equals(s)) {
            throw new IllegalArgumentException("grouped positions must have the token ids' shape " + s + ", got "
                    + (positions == null ? "none" : positions.getShape()));
        }
        if (cache.groups() < 1) {
            throw new IllegalArgumentException("a grouped pass needs at least one group, got " + cache.groups());
        }
        long rows = 0;
        for (int g = 0; g < cache.groups(); g++) {
            rows += (long) cache.batch(g) * cache.tokens(g);
        }
        if (rows != s.get(1)) {
            throw new IllegalArgumentException("the cache's groups hold " + rows + " rows, the token ids " + s.get(1));
        }
        return forward(ids, positions, false, null, cache, true, null, packed);
    }

    /** The weights of every matrix product, in the order a forward pass uses them (a tied head once). */
    List<Parameter> projectionWeights() {
        List<Parameter> out = new ArrayList<>();
        for (Layer l : blocks) {
            out.add(l.qkvW);
            out.add(l.projW);
            out.add(l.fcW);
            out.add(l.fc2W);
        }
        out.add(lmHead == null ? wte : lmHead);
        return out;
    }

    /**
     * The forward pass; {@code rows} returns the logits as {@code [B·T, vocab]}. With {@code half}
     * the whole pass runs in float16 on its weights (the engine's float16 kernels accumulate
     * reductions such as softmax and normalisation in float32), and the logits are returned as
     * float32 through a type-promoting addition, which the backward pass follows.
     */
    private NDArray forward(
            NDArray ids,
            NDArray positions,
            boolean training,
            KvCache cache,
            GroupedKvCache grouped,
            boolean rows,
            HalfWeights half,
            PackedWeights packed) {
        NDManager m = ids.getManager();
        Shape s = ids.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("token ids must be [batch, time], got shape " + s);
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        if (cache == null && grouped == null && t > config.contextLength()) {
            throw new IllegalArgumentException(
                    "sequence of " + t + " tokens exceeds the context length " + config.contextLength());
        }
        boolean drop = training && config.dropout() > 0;
        float rate = (float) config.dropout();
        NDArray x = Embedding.embedding(ids, w(half, wte), SparseFormat.DENSE).head();
        if (wpe != null) {
            x = x.add(learnedPositions(positions, t, m, half));
        }
        // Activations are kept as [B·T, D] rows: the engine's linear layer fuses the bias into the
        // matrix product (addmm) only for 2-D inputs.
        x = x.reshape(b * (long) t, config.dModel());
        if (drop) {
            x = Dropout.dropout(x, rate, true).head();
        }
        NDArray bias = grouped != null ? null : cache == null ? attn.causalBias(t, m) : cache.bias();
        NDArray[] rope = config.positions() == GptConfig.Positions.ROPE ? ops.ropeTables(positions, t, m) : null;
        if (grouped != null && rope != null) {
            // [1, 1, N, hd] -> [N, 1, hd]: one table row per input row, broadcast over the heads.
            rope = new NDArray[] {rope[0].reshape(t, 1, config.headDim()), rope[1].reshape(t, 1, config.headDim())};
        }
        if (half != null) {
            bias = half.constant(bias, m);
            if (rope != null) {
                rope = new NDArray[] {half.constant(rope[0], m), half.constant(rope[1], m)};
            }
        }
        int h = config.heads();
        int kv = config.kvHeads();
        int hd = config.headDim();
        for (int i = 0; i < blocks.length; i++) {
            Layer l = blocks[i];
            NDArray n1 = ops.norm(x, w(half, l.ln1W), w(half, l.ln1B));
            NDArray qkv = linear(half, packed, n1, l.qkvW, l.qkvB);
            NDArray y;
            if (grouped != null) {
                y = groupedAttention(i, qkv, t, rope, grouped);
            } else {
                NDList parts =
                        qkv.reshape(b, t, h + 2L * kv, hd).transpose(0, 2, 1, 3).split(new long[] {h, h + kv}, 1);
                NDArray q = parts.get(0);
                NDArray k = parts.get(1);
                NDArray v = parts.get(2);
                if (rope != null) {
                    q = DecoderOps.rope(q, rope);
                    k = DecoderOps.rope(k, rope);
                }
                if (cache != null) {
                    NDArray[] kvs = cache.append(i, k, v);
                    k = kvs[0];
                    v = kvs[1];
                }
                y = attn.apply(q, k, v, bias, b, t, drop, rate);
            }
            y = linear(half, packed, y, l.projW, l.projB);
            if (drop) {
                y = Dropout.dropout(y, rate, true).head();
            }
            x = y.addi(x); // y (a linear output) is not saved for the backward pass
            NDArray n2 = ops.norm(x, w(half, l.ln2W), w(half, l.ln2B));
            NDArray u = linear(half, packed, n2, l.fcW, l.fcB);
            u = config.mlp() == GptConfig.Mlp.SWIGLU ? DecoderOps.swiglu(u, config.mlpWidth()) : ops.geluTanh(u);
            u = linear(half, packed, u, l.fc2W, l.fc2B);
            if (drop) {
                u = Dropout.dropout(u, rate, true).head();
            }
            x = u.addi(x);
        }
        NDArray keep = grouped != null ? grouped.logitRows() : cache == null ? null : cache.logitRows();
        if (keep != null) {
            x = x.get(new NDIndex("{}", keep));
        }
        x = ops.norm(x, w(half, lnfW), w(half, lnfB));
        NDArray logits = linear(half, packed, x, lmHead == null ? wte : lmHead, null);
        if (half != null) {
            logits = half.toFloat32(logits); // the loss in float32
        }
        if (rows || keep != null) {
            return logits;
        }
        NDArray shaped = logits.reshape(b, t, config.vocabSize());
        logits.close();
        return shaped;
    }

    /**
     * Layer {@code layer}'s attention over a {@link GroupedKvCache}: the {@code [N, (H + 2·KV)·hd]}
     * projections as row-major heads (rotary embedding per row), the new keys and values written
     * once for all rows, then each group's queries over what the cache reads for it; returns
     * {@code [N, D]}.
     */
    private NDArray groupedAttention(int layer, NDArray qkv, int n, NDArray[] rope, GroupedKvCache cache) {
        int h = config.heads();
        int kv = config.kvHeads();
        int hd = config.headDim();
        NDList parts = qkv.reshape(n, h + 2L * kv, hd).split(new long[] {h, h + kv}, 1);
        NDArray q = parts.get(0); // [N, H, hd]
        NDArray k = parts.get(1);
        NDArray v = parts.get(2);
        if (rope != null) {
            q = DecoderOps.rope(q, rope);
            k = DecoderOps.rope(k, rope);
        }
        cache.write(layer, k, v);
        int groups = cache.groups();
        NDArray[] out = new NDArray[groups];
        long row = 0;
        for (int g = 0; g < groups; g++) {
            int b = cache.batch(g);
            int t = cache.tokens(g);
            long size = (long) b * t;
            NDArray qg = groups == 1 ? q : q.get(new NDIndex("{}:{}", row, row + size));
            qg = qg.reshape(b, t, h, hd).transpose(0, 2, 1, 3); // [b, H, t, hd]
            NDArray[] kvs = cache.read(layer, g);
            out[g] = attn.applyHeadMajor(qg, kvs[0], kvs[1], cache.bias(g), b, t);
            row += size;
        }
        if (groups == 1) {
            return out[0];
        }
        NDArray y = NDArrays.concat(new NDList(out), 0);
        for (NDArray o : out) {
            o.close();
        }
        return y;
    }

    /** The array of parameter {@code p} for this pass: its float16 copy in a mixed-precision step. */
    private static NDArray w(HalfWeights half, Parameter p) {
        if (p == null) {
            return null;
        }
        return half == null ? p.getArray() : half.of(p);
    }

    /** {@code x·Wᵀ + b} with this pass's weights: the packed copy of {@code w} where there is one. */
    private static NDArray linear(HalfWeights half, PackedWeights packed, NDArray x, Parameter w, Parameter b) {
        if (packed != null && half == null) {
            NDArray y = packed.linear(x, w, b == null ? null : b.getArray());
            if (y != null) {
                return y;
            }
        }
        return Linear.linear(x, w(half, w), w(half, b)).head();
    }

    /** Float16 leaves of every parameter for one mixed-precision step, owned by {@code scope}. */
    HalfWeights halfWeights(NDManager scope) {
        return new HalfWeights(ordered, scope);
    }

    private NDArray learnedPositions(NDArray positions, int t, NDManager m, HalfWeights half) {
        NDArray pid = positions;
        if (pid == null) {
            if (t == config.contextLength()) {
                pid = positionIds; // the full table: no slicing (the usual training shape)
            } else {
                pid = positionIds.get(new NDIndex("0:{}", t));
                pid.attach(m);
            }
        }
        NDArray pos = Embedding.embedding(pid, w(half, wpe), SparseFormat.DENSE).head();
        pos.attach(m);
        return pos;
    }

    /** GPT-2's tanh-GELU (see {@link DecoderOps#geluTanh}); package-private for its test. */
    NDArray geluTanh(NDArray x) {
        return ops.geluTanh(x);
    }

    /** Mean next-token cross-entropy (nats) of logits for {@code ids} against {@code targets}. */
    public NDArray loss(NDArray ids, NDArray targets, boolean training) {
        return loss(ids, targets, training, (HalfWeights) null);
    }

    /** {@link #loss(NDArray, NDArray, boolean)} computed on float16 weights; the loss itself is float32. */
    NDArray loss(NDArray ids, NDArray targets, boolean training, HalfWeights half) {
        NDArray logits = forward(ids, null, training, null, null, true, half, null);
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

    /** An additive causal mask {@code [n, n]} (0 on and below the diagonal, -inf above) in {@code m}. */
    public static NDArray causalMask(int n, NDManager m) {
        return Attention.causalMask(n, m);
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
    // Persistence (Kiln's own file; DJL's Block.saveParameters(DataOutputStream) is a different
    // format, so these methods carry other names)

    /** Parameter values by name (a copy). */
    public Map<String, float[]> values() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Parameter p : ordered) {
            m.put(p.getName(), p.getArray().toFloatArray());
        }
        return m;
    }

    /**
     * Writes the parameters in Kiln's {@code model.params} format: magic, version, count, then per
     * parameter its name, shape and little-endian float32 values, then a CRC-32.
     */
    public void writeParameterFile(OutputStream out) throws IOException {
        ParameterFile.write(values(), parameterShapes(config), out);
    }

    /** Writes {@code file} (see {@link #writeParameterFile(OutputStream)}). */
    public void writeParameterFile(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeParameterFile(out);
        }
    }

    /**
     * Reads parameter values written by {@link #writeParameterFile(OutputStream)}, checking names,
     * shapes and the checksum against {@code config}.
     *
     * @throws dev.kiln.core.CorruptArtifactException when the file is truncated, damaged or for
     *     another shape
     */
    public static Map<String, float[]> readParameterFile(Path file, GptConfig config) throws IOException {
        return ParameterFile.read(file, config);
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
