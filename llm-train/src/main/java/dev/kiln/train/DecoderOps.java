package dev.kiln.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;

/**
 * The element-wise pieces of the decoder that depend on the architecture options: normalisation
 * (LayerNorm / RMSNorm), rotary position embeddings, tanh-GELU and SwiGLU. Constants live in the
 * model's manager; every array an operation creates belongs to the manager of its input.
 */
final class DecoderOps {

    private final GptConfig config;
    private final Shape normShape;
    private final NDArray eps;
    private final NDArray geluA;
    private final NDArray geluB;
    private final NDArray geluB3;
    private final NDArray one;
    /** {@code cos(p·inv_freq)} twice over the head width: {@code [context, head_dim]}. */
    private final NDArray ropeCos;
    /** {@code (-sin, sin)(p·inv_freq)}: {@code [context, head_dim]} (rotate_half folded into the sign). */
    private final NDArray ropeSin;

    DecoderOps(GptConfig config, NDManager manager) {
        this.config = config;
        this.normShape = new Shape(config.dModel());
        this.eps = manager.create((float) config.normEps());
        double a = 2 * Math.sqrt(2 / Math.PI);
        this.geluA = manager.create((float) a);
        this.geluB = manager.create((float) (a * 0.044715));
        this.geluB3 = manager.create((float) (3 * a * 0.044715));
        this.one = manager.create(1f);
        if (config.positions() == GptConfig.Positions.ROPE) {
            int c = config.contextLength();
            int hd = config.headDim();
            int half = hd / 2;
            float[] cos = new float[c * hd];
            float[] sin = new float[c * hd];
            for (int i = 0; i < half; i++) {
                // Hugging Face: inv_freq = 1 / theta^(2i/d), computed in float32 from an int64 arange.
                float invFreq = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / hd));
                for (int p = 0; p < c; p++) {
                    float angle = (float) p * invFreq;
                    float co = (float) Math.cos(angle);
                    float si = (float) Math.sin(angle);
                    cos[p * hd + i] = co;
                    cos[p * hd + half + i] = co;
                    sin[p * hd + i] = -si;
                    sin[p * hd + half + i] = si;
                }
            }
            this.ropeCos = manager.create(cos, new Shape(c, hd));
            this.ropeSin = manager.create(sin, new Shape(c, hd));
        } else {
            this.ropeCos = null;
            this.ropeSin = null;
        }
    }

    /** The configured normalisation of {@code x} ({@code [N, D]} rows); {@code b} is null for RMSNorm. */
    NDArray norm(NDArray x, NDArray w, NDArray b) {
        if (config.norm() == GptConfig.Norm.LAYERNORM) {
            return LayerNorm.layerNorm(x, normShape, w, b, (float) config.normEps())
                    .head();
        }
        // RMSNorm as Hugging Face's LlamaRMSNorm: w · x / sqrt(mean(x²) + eps), in float32.
        NDArray ms = x.mul(x).mean(new int[] {x.getShape().dimension() - 1}, true);
        NDArray rms = ms.addi(eps).sqrt();
        NDArray y = x.div(rms);
        return y.muli(w);
    }

    /**
     * The rotary tables for {@code t} positions: {@code positions} ({@code [B, n]} ids, or null for
     * {@code 0..t-1}); returns {cos, sin} broadcastable to {@code [B, H, n, head_dim]}.
     */
    NDArray[] ropeTables(NDArray positions, int t, NDManager m) {
        if (positions == null) {
            if (t == config.contextLength()) {
                return new NDArray[] {ropeCos, ropeSin};
            }
            NDArray c = ropeCos.get(new NDIndex("0:{}", t));
            NDArray s = ropeSin.get(new NDIndex("0:{}", t));
            c.attach(m);
            s.attach(m);
            return new NDArray[] {c, s};
        }
        NDArray c = Embedding.embedding(positions, ropeCos, SparseFormat.DENSE).head();
        NDArray s = Embedding.embedding(positions, ropeSin, SparseFormat.DENSE).head();
        if (c.getShape().dimension() == 3) {
            c = c.expandDims(1);
            s = s.expandDims(1);
        }
        return new NDArray[] {c, s};
    }

    /** {@code x·cos + rotate_half(x)·sin} for {@code x} of {@code [B, H, n, head_dim]}. */
    static NDArray rope(NDArray x, NDArray[] tables) {
        int last = x.getShape().dimension() - 1;
        long half = x.getShape().get(last) / 2;
        NDList halves = x.split(new long[] {half}, last);
        NDArray swapped = halves.get(1).concat(halves.get(0), last);
        NDArray rotated = swapped.muli(tables[1]);
        return x.mul(tables[0]).addi(rotated);
    }

    /** {@code silu(gate)·up} of the fused {@code [N, 2F]} gate/up projection. */
    static NDArray swiglu(NDArray gateUp, int f) {
        NDList parts = gateUp.split(new long[] {f}, 1);
        NDArray gate = parts.get(0);
        NDArray up = parts.get(1);
        return gate.mul(Activation.sigmoid(gate)).mul(up);
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
        NDArray s = Activation.sigmoid(z);
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
}
