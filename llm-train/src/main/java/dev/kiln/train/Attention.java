package dev.kiln.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;

/**
 * Causal softmax attention of {@link GptModel}, with grouped-query heads, and the causal masks it
 * adds. Holds the model's constants (the {@code 1/√head_dim} scale and the kept mask) in the
 * model's manager; everything a call creates belongs to the manager of its inputs.
 */
final class Attention {

    /** The largest causal mask kept with the model ({@code 2048² floats = 16 MiB}). */
    private static final int MASK_KEPT = 2048;

    private final GptConfig config;
    private final NDArray scale;
    private final NDArray causalMask;

    Attention(GptConfig config, NDManager manager) {
        this.config = config;
        this.scale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        // The training shape's mask is kept; a long context (8k for imported models) would cost n² floats.
        this.causalMask = causalMask(Math.min(config.contextLength(), MASK_KEPT), manager);
    }

    /**
     * Softmax attention of {@code q} ({@code [B, H, n, hd]}) over {@code k, v} ({@code [B, KV, S,
     * hd]}) with an additive mask, as {@code [B·n, D]} rows. With grouped-query attention each
     * key/value head serves {@code H / KV} consecutive query heads (Hugging Face's {@code
     * repeat_kv}); the queries are viewed as {@code [B, KV, (H/KV)·n, hd]}, the group's query rows
     * stacked, so each product runs once per key/value head and keys and values are never copied
     * per query head (a broadcast product would expand and copy them).
     */
    NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias, int b, int n, boolean drop, float rate) {
        int h = config.heads();
        int kv = config.kvHeads();
        int hd = config.headDim();
        // Scaling q ([B, H, n, hd]) is cheaper than scaling the [B, H, n, S] scores. The mask is
        // added in place, and arrays the backward pass does not keep are closed as soon as they are
        // used, so their memory is reused (still in cache) by the next allocation instead of
        // staying to the end of the step.
        NDArray qs = q.mul(scale);
        NDArray kt = k.swapAxes(2, 3);
        long keys = k.getShape().get(2);
        if (kv != h) {
            // [B, H, n, hd] is [B, KV, (H/KV)·n, hd] in memory: the group's queries become rows of
            // one product per key/value head, with no broadcast (a broadcast product copies K, V).
            qs = qs.reshape(b, kv, (h / kv) * (long) n, hd);
        }
        NDArray product = qs.matMul(kt);
        NDArray scores = kv != h ? product.reshape(b, h, n, keys) : product;
        scores.addi(bias);
        NDArray att = scores.softmax(-1);
        scores.close(); // softmax keeps only its output
        product.close();
        if (drop) {
            att = Dropout.dropout(att, rate, true).head();
        }
        if (kv != h) {
            att = att.reshape(b, kv, (h / kv) * (long) n, keys);
        }
        NDArray av = att.matMul(v);
        if (kv != h) {
            av = av.reshape(b, h, n, hd);
        }
        NDArray avT = av.transpose(0, 2, 1, 3);
        NDArray y = avT.reshape(b * (long) n, config.dModel()); // a copy: avT is not contiguous
        avT.close();
        av.close();
        return y;
    }

    /**
     * {@link #apply} for keys and values stored head-major, {@code [KV, B, S, hd]} contiguous (see
     * {@code GptModel.GroupedKvCache.read}), without dropout: the products run over {@code KV·B}
     * matrices that are views of the keys and values, so the {@code B·S} rows a cache gathered are
     * not copied again into the batch-major layout; only the queries ({@code n} rows per sequence)
     * and the output are rearranged.
     */
    NDArray applyHeadMajor(NDArray q, NDArray k, NDArray v, NDArray bias, int b, int n) {
        int h = config.heads();
        int kv = config.kvHeads();
        int hd = config.headDim();
        int g = h / kv;
        long keys = k.getShape().get(2);
        // q [B, H, n, hd] is [B, KV, G·n, hd] in memory; head-major: [KV·B, G·n, hd].
        NDArray qs = q.mul(scale);
        NDArray qh = qs.reshape(b, kv, g * (long) n, hd).transpose(1, 0, 2, 3).reshape(kv * (long) b, g * (long) n, hd);
        qs.close();
        NDArray kt = k.reshape(kv * (long) b, keys, hd).swapAxes(1, 2);
        NDArray scores = qh.matMul(kt); // [KV·B, G·n, S]
        qh.close();
        NDArray mask = bias.getShape().dimension() == 2
                ? bias.reshape(1, 1, 1, n, keys)
                : bias.reshape(1, b, 1, n, keys); // [B, 1, n, S]
        NDArray grouped = scores.reshape(kv, b, g, n, keys);
        grouped.addi(mask);
        NDArray att = grouped.softmax(-1);
        grouped.close();
        scores.close();
        NDArray av = att.reshape(kv * (long) b, g * (long) n, keys).matMul(v.reshape(kv * (long) b, keys, hd));
        att.close();
        // [KV, B, G, n, hd] -> [B, n, KV, G, hd] = [B·n, D] rows (head h = kv·G + g).
        NDArray avT = av.reshape(kv, b, g, n, hd).transpose(1, 3, 0, 2, 4);
        NDArray y = avT.reshape(b * (long) n, config.dModel());
        avT.close();
        av.close();
        return y;
    }

    /** The additive causal mask {@code [t, t]}: the kept one, a slice of it, or (past its size) a new one. */
    NDArray causalBias(int t, NDManager m) {
        int kept = (int) causalMask.getShape().get(0);
        if (t == kept) {
            return causalMask;
        }
        if (t < kept) {
            NDArray slice = causalMask.get(new NDIndex("0:{}, 0:{}", t, t));
            slice.attach(m);
            return slice;
        }
        return causalMask(t, m);
    }

    /** An additive causal mask {@code [n, n]} (0 on and below the diagonal, -inf above) in {@code m}. */
    static NDArray causalMask(int n, NDManager m) {
        float[] data = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                data[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(data, new Shape(n, n));
    }
}
