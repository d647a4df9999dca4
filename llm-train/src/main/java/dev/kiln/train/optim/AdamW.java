package dev.kiln.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch's semantics: decoupled weight decay {@code p ← p −
 * lr·wd·p} applied only to the parameters chosen by a predicate (by default ≥2-D weights that are
 * not embeddings), bias-corrected moments, and its state (step count, first and second moments)
 * saved and restored exactly. Each parameter is updated by one fused native call; global-norm
 * clipping is folded into it as a gradient scale.
 *
 * <pre>{@code
 * AdamW opt = AdamW.builder().optBetas(0.9, 0.95).optWeightDecay(0.1).build(model.parameterList(), manager);
 * double norm = opt.globalNorm(step);                 // after backward
 * opt.step(lr, AdamW.clipScale(norm, 1.0));
 * }</pre>
 */
public final class AdamW implements AutoCloseable {

    private static final ChecksummedFile FORMAT =
            ChecksummedFile.of(0x4B4C4E4F /* "KLNO" */, "Kiln optimizer state file");

    private final List<Parameter> params;
    private final NDArray[] m;
    private final NDArray[] v;
    private final boolean[] decay;
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private long steps;

    private AdamW(Builder b, List<Parameter> params, NDManager parent) {
        this.params = List.copyOf(params);
        this.manager = parent.newSubManager();
        this.beta1 = (float) b.beta1;
        this.beta2 = (float) b.beta2;
        this.eps = (float) b.eps;
        this.weightDecay = (float) b.weightDecay;
        int n = params.size();
        this.m = new NDArray[n];
        this.v = new NDArray[n];
        this.decay = new boolean[n];
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            NDArray a = p.getArray();
            m[i] = manager.zeros(a.getShape(), DataType.FLOAT32);
            v[i] = manager.zeros(a.getShape(), DataType.FLOAT32);
            decay[i] = b.decayFilter.test(p);
        }
    }

    /** A builder with betas (0.9, 0.95), eps 1e-8 and weight decay 0.1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Optimizer steps taken. */
    public long steps() {
        return steps;
    }

    /** Names of the parameters that get weight decay. */
    public List<String> decayedParameters() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < decay.length; i++) {
            if (decay[i]) {
                out.add(params.get(i).getName());
            }
        }
        return out;
    }

    /**
     * The L2 norm of all gradients together; temporaries belong to {@code step}.
     *
     * @return the norm (NaN or infinite when a gradient is)
     */
    public double globalNorm(NDManager step) {
        return globalNorm(step, null);
    }

    /**
     * The L2 norm of {@code grads} (one per parameter, in order; null: the parameters' own
     * gradients), e.g. float32 copies of a mixed-precision step's float16 gradients.
     */
    public double globalNorm(NDManager step, List<NDArray> grads) {
        NDList norms = new NDList(params.size());
        for (int i = 0; i < params.size(); i++) {
            NDArray g = grads == null ? params.get(i).getArray().getGradient() : grads.get(i);
            g.attach(step);
            norms.add(g.norm());
        }
        return NDArrays.stack(norms).norm().getFloat();
    }

    /** PyTorch's {@code clip_grad_norm_} factor: {@code min(1, maxNorm / (norm + 1e-6))}; 1 when off. */
    public static float clipScale(double norm, double maxNorm) {
        if (maxNorm <= 0) {
            return 1f;
        }
        return (float) Math.min(1.0, maxNorm / (norm + 1e-6));
    }

    /** Zeroes every gradient (in place). */
    public void zeroGrad() {
        for (Parameter p : params) {
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }

    /**
     * One update with learning rate {@code lr}, gradients scaled by {@code gradScale} (the clip
     * factor). The gradients are consumed (overwritten) by the update; temporaries are freed before
     * returning. Every operation but two per parameter works in place, with scalars made once per
     * step: the engine's own AdamW kernel allocates six temporaries per parameter.
     */
    public void step(double lr, float gradScale) {
        step(lr, gradScale, null);
    }

    /**
     * {@link #step(double, float)} with gradients given explicitly (one per parameter, in order;
     * null: the parameters' own), e.g. a mixed-precision step's float32 copies. They are consumed.
     */
    public void step(double lr, float gradScale, List<NDArray> grads) {
        if (grads != null && grads.size() != params.size()) {
            throw new IllegalArgumentException(
                    "got " + grads.size() + " gradients for " + params.size() + " parameters");
        }
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        double sqrtBc2 = Math.sqrt(bc2);
        // PyTorch: p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)  ==  lr·sqrt(bc2)/bc1 · m / (sqrt(v) + eps·sqrt(bc2))
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // in-place updates of leaves are not recorded
        try (NDManager s = manager.newSubManager()) {
            NDArray lrCorrected = s.create((float) (lr * sqrtBc2 / bc1));
            NDArray epsCorrected = s.create((float) (eps * sqrtBc2));
            NDArray keep = s.create((float) (1 - lr * weightDecay));
            NDArray scale = s.create(gradScale);
            NDArray b1 = s.create(beta1);
            NDArray b2 = s.create(beta2);
            for (int i = 0; i < m.length; i++) {
                NDArray w = params.get(i).getArray();
                NDArray g = grads == null ? w.getGradient() : grads.get(i);
                g.attach(s);
                if (gradScale != 1f) {
                    g.muli(scale);
                }
                m[i].subi(g).muli(b1).addi(g); // m = β1·m + (1 − β1)·g
                g.muli(g);
                v[i].subi(g).muli(b2).addi(g); // v = β2·v + (1 − β2)·g²
                if (decay[i] && weightDecay > 0) {
                    w.muli(keep); // decoupled decay, before the Adam step (as PyTorch)
                }
                NDArray den = v[i].sqrt().addi(epsCorrected);
                NDArray update = m[i].div(den).muli(lrCorrected);
                w.subi(update);
                update.close();
                den.close();
                g.close();
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Writes step count and moments (little-endian float32) with a trailing CRC-32. */
    public void save(Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file)) {
            save(raw);
        }
    }

    /** Writes step count and moments to {@code raw} (left open) in the format of {@link #save(Path)}. */
    public void save(OutputStream raw) throws IOException {
        FORMAT.write(raw, out -> {
            out.writeLong(steps);
            out.writeInt(m.length);
            for (int i = 0; i < m.length; i++) {
                out.writeUTF(params.get(i).getName());
                writeFloats(out, m[i].toFloatArray());
                writeFloats(out, v[i].toFloatArray());
            }
        });
    }

    private static void writeFloats(DataOutputStream out, float[] f) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(f);
        out.writeInt(f.length);
        out.write(bb.array());
    }

    /** Restores state written by {@link #save}; parameter names and sizes must match. */
    public void load(Path file) throws IOException {
        Loaded state = FORMAT.read(file, in -> {
            long s = in.readLong();
            int n = in.readInt();
            if (n != m.length) {
                throw new CorruptArtifactException(
                        file, "holds state of " + n + " parameters, the model has " + m.length);
            }
            float[][] ms = new float[n][];
            float[][] vs = new float[n][];
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                if (!name.equals(params.get(i).getName())) {
                    throw new CorruptArtifactException(
                            file,
                            "parameter " + i + " is '" + name + "', expected '"
                                    + params.get(i).getName() + "'");
                }
                ms[i] = readFloats(in, file, m[i].size());
                vs[i] = readFloats(in, file, v[i].size());
            }
            return new Loaded(s, ms, vs);
        });
        for (int i = 0; i < m.length; i++) {
            m[i].set(state.m[i]);
            v[i].set(state.v[i]);
        }
        this.steps = state.steps;
    }

    /** State read and checked in full before any of it is applied. */
    private record Loaded(long steps, float[][] m, float[][] v) {}

    private static float[] readFloats(DataInputStream in, Path file, long expected) throws IOException {
        int len = in.readInt();
        if (len != expected) {
            throw new CorruptArtifactException(file, "moment of " + len + " values, expected " + expected);
        }
        byte[] b = new byte[len * 4];
        in.readFully(b);
        float[] f = new float[len];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Builder; values are checked when set. */
    public static final class Builder {
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double eps = 1e-8;
        private double weightDecay = 0.1;
        private Predicate<Parameter> decayFilter = Builder::defaultDecay;

        private Builder() {}

        /** Default decay set: weights with ≥ 2 dimensions except embeddings ({@code wte}, {@code wpe}). */
        public static boolean defaultDecay(Parameter p) {
            String n = p.getName();
            return p.getArray().getShape().dimension() >= 2 && !n.startsWith("wte.") && !n.startsWith("wpe.");
        }

        /** The moment decays, each in [0, 1) (default 0.9 and 0.95). */
        public Builder optBetas(double b1, double b2) {
            if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got (" + b1 + ", " + b2 + ")");
            }
            this.beta1 = b1;
            this.beta2 = b2;
            return this;
        }

        /** The denominator's epsilon, > 0 (default 1e-8). */
        public Builder optEps(double e) {
            if (!(e > 0)) {
                throw new IllegalArgumentException("eps must be > 0, got " + e);
            }
            this.eps = e;
            return this;
        }

        /** Decoupled weight decay, >= 0 (default 0.1). */
        public Builder optWeightDecay(double wd) {
            if (!(wd >= 0)) {
                throw new IllegalArgumentException("weight_decay must be >= 0, got " + wd);
            }
            this.weightDecay = wd;
            return this;
        }

        /** Decay embeddings too (nanoGPT does); biases and norms never. */
        public Builder optDecayEmbeddings(boolean on) {
            this.decayFilter = on ? p -> p.getArray().getShape().dimension() >= 2 : Builder::defaultDecay;
            return this;
        }

        /** Decay exactly the parameters {@code filter} accepts. */
        public Builder optDecayFilter(Predicate<Parameter> filter) {
            this.decayFilter = java.util.Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * An optimizer over {@code params}, its moment buffers allocated in {@code manager}.
         *
         * @throws IllegalArgumentException when {@code params} is empty
         */
        public AdamW build(List<Parameter> params, NDManager manager) {
            if (params.isEmpty()) {
                throw new IllegalArgumentException("AdamW needs at least one parameter");
            }
            return new AdamW(this, params, manager);
        }
    }
}
