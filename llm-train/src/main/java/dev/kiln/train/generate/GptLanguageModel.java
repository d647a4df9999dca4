package dev.kiln.train.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.Sampler;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.Tokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trained {@link GptModel} as Kiln's {@link LanguageModel}: step-level batched decoding with a
 * per-session KV cache (each step feeds one new token per session), sessions of different lengths
 * batched with padding and an attention mask, sampling through core's {@link Sampler}.
 *
 * <pre>{@code
 * try (LanguageModel lm = new GptLanguageModel(model, tokenizer, "tiny", true)) {
 *     String text = lm.generate(GenerationRequest.builder().setPrompt("class A {").optMaxTokens(32).build())
 *             .collect().text();
 * }
 * }</pre>
 *
 * <p>Thread-safe: steps are serialised.
 */
public final class GptLanguageModel implements LanguageModel {

    private final GptModel model;
    private final Tokenizer tokenizer;
    private final String id;
    private final boolean ownsModel;
    private final Sampler sampler;
    private final GptConfig config;
    private boolean closed;

    /**
     * @param ownsModel whether {@link #close()} closes {@code model}
     */
    public GptLanguageModel(GptModel model, Tokenizer tokenizer, String id, boolean ownsModel) {
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary holds " + model.config().vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.id = id;
        this.ownsModel = ownsModel;
        this.config = model.config();
        this.sampler = new Sampler(config.vocabSize());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    public GptModel model() {
        return model;
    }

    @Override
    public synchronized DecodeSession open(int[] promptIds, SamplingParams sampling) {
        ensureOpen();
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("a decode session needs at least one prompt token");
        }
        if (promptIds.length >= config.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + promptIds.length + " tokens; model '" + id
                    + "' holds " + config.contextLength() + " tokens, so nothing can be generated");
        }
        for (int t : promptIds) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "prompt token id " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        return new Session(this, promptIds.clone(), sampling == null ? SamplingParams.GREEDY : sampling);
    }

    @Override
    public synchronized int[] step(List<? extends DecodeSession> sessions) {
        ensureOpen();
        int n = sessions.size();
        int[] out = new int[n];
        List<Session> decode = new ArrayList<>(n);
        List<Integer> decodeIdx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!(sessions.get(i) instanceof Session s) || s.owner != this) {
                throw new IllegalArgumentException("session " + i + " was not opened by model '" + id + "'");
            }
            if (s.closed) {
                throw new IllegalArgumentException("session " + i + " is closed");
            }
            if (s.length() >= config.contextLength()) {
                throw new IllegalArgumentException("session " + i + " is full: it holds " + s.length()
                        + " tokens, the context length of model '" + id + "' is " + config.contextLength());
            }
        }
        for (int i = 0; i < n; i++) {
            Session s = (Session) sessions.get(i);
            if (s.cached == 0) {
                prefill(s);
                out[i] = s.sample(sampler);
            } else {
                decode.add(s);
                decodeIdx.add(i);
            }
        }
        if (!decode.isEmpty()) {
            decodeBatch(decode);
            for (int j = 0; j < decode.size(); j++) {
                out[decodeIdx.get(j)] = decode.get(j).sample(sampler);
            }
        }
        return out;
    }

    private void prefill(Session s) {
        int p = s.prompt.length;
        s.ensureCapacity(p + 1);
        try (NDManager step = model.manager().newSubManager()) {
            NDArray ids = step.create(s.prompt, new Shape(1, p));
            NDArray bias = GptModel.causalMask(p, step);
            GptModel.KvCache cache = new GptModel.KvCache() {
                @Override
                public NDArray[] append(int layer, NDArray k, NDArray v) {
                    NDIndex at = new NDIndex(":, 0:{}", p);
                    s.keys[layer].set(at, k.get(0));
                    s.values[layer].set(at, v.get(0));
                    return new NDArray[] {k, v};
                }

                @Override
                public NDArray bias() {
                    return bias;
                }
            };
            NDArray logits = model.forward(ids, null, false, cache);
            s.lastLogits = logits.get(0, p - 1).toFloatArray();
            s.cached = p;
        }
    }

    private void decodeBatch(List<Session> batch) {
        int b = batch.size();
        int span = 0;
        int[] tokens = new int[b];
        int[] positions = new int[b];
        for (int i = 0; i < b; i++) {
            Session s = batch.get(i);
            tokens[i] = s.lastToken;
            positions[i] = s.cached;
            span = Math.max(span, s.cached + 1);
        }
        for (Session s : batch) {
            s.ensureCapacity(span); // every session's window is `span` wide (masked past its length)
        }
        int width = span;
        float[] mask = new float[b * width];
        for (int i = 0; i < b; i++) {
            for (int j = positions[i] + 1; j < width; j++) {
                mask[i * width + j] = Float.NEGATIVE_INFINITY;
            }
        }
        try (NDManager step = model.manager().newSubManager()) {
            NDArray ids = step.create(tokens, new Shape(b, 1));
            NDArray pos = step.create(positions, new Shape(b, 1));
            NDArray bias = step.create(mask, new Shape(b, 1, 1, width));
            GptModel.KvCache cache = new GptModel.KvCache() {
                @Override
                public NDArray[] append(int layer, NDArray k, NDArray v) {
                    NDList ks = new NDList(b);
                    NDList vs = new NDList(b);
                    NDIndex window = new NDIndex(":, 0:{}", width);
                    for (int i = 0; i < b; i++) {
                        Session s = batch.get(i);
                        NDIndex at = new NDIndex(":, {}:{}", positions[i], positions[i] + 1);
                        s.keys[layer].set(at, k.get(i));
                        s.values[layer].set(at, v.get(i));
                        NDArray kw = s.keys[layer].get(window);
                        NDArray vw = s.values[layer].get(window);
                        kw.attach(step);
                        vw.attach(step);
                        ks.add(kw);
                        vs.add(vw);
                    }
                    return new NDArray[] {NDArrays.stack(ks), NDArrays.stack(vs)};
                }

                @Override
                public NDArray bias() {
                    return bias;
                }
            };
            float[] logits = model.forward(ids, pos, false, cache).toFloatArray();
            int v = config.vocabSize();
            for (int i = 0; i < b; i++) {
                Session s = batch.get(i);
                s.lastLogits = java.util.Arrays.copyOfRange(logits, i * v, (i + 1) * v);
                s.cached++;
            }
        }
    }

    @Override
    public boolean supportsScoring() {
        return true;
    }

    @Override
    public synchronized double[] score(int[] ids) {
        ensureOpen();
        if (ids.length < 2) {
            return new double[0];
        }
        if (ids.length > config.contextLength()) {
            throw new IllegalArgumentException(
                    "cannot score " + ids.length + " tokens; model '" + id + "' holds " + config.contextLength());
        }
        try (NDManager step = model.manager().newSubManager()) {
            NDArray in = step.create(ids, new Shape(1, ids.length));
            NDArray lp = model.forward(in, false).get(0).logSoftmax(1);
            float[] all = lp.toFloatArray();
            int v = config.vocabSize();
            double[] out = new double[ids.length - 1];
            for (int i = 0; i < out.length; i++) {
                out[i] = all[i * v + ids[i + 1]];
            }
            return out;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model '" + id + "' is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (ownsModel) {
                model.close();
            }
        }
    }

    /** One sequence: its prompt, sampling state and KV cache (in its own native scope). */
    public static final class Session implements DecodeSession {
        private final GptLanguageModel owner;
        private final int[] prompt;
        private final SamplingParams sampling;
        private final SplittableRandom rng;
        private final NDManager manager;
        private final NDArray[] keys;
        private final NDArray[] values;
        private int capacity;
        private int cached;
        private int generated;
        private int lastToken = -1;
        private double lastLogprob;
        private float[] lastLogits;
        private volatile boolean closed;

        Session(GptLanguageModel owner, int[] prompt, SamplingParams sampling) {
            this.owner = owner;
            this.prompt = prompt;
            this.sampling = sampling;
            this.rng = new SplittableRandom(sampling.seed());
            GptConfig c = owner.config;
            this.manager = owner.model.manager().newSubManager();
            this.keys = new NDArray[c.layers()];
            this.values = new NDArray[c.layers()];
        }

        /**
         * Grows the cache to hold {@code n} positions: capacity doubles from the prompt's size up to
         * the context length, so a short completion of a long-context model holds only what it uses.
         */
        void ensureCapacity(int n) {
            GptConfig c = owner.config;
            if (capacity >= n) {
                return;
            }
            int cap = Math.max(64, capacity);
            while (cap < n) {
                cap *= 2;
            }
            cap = Math.min(cap, c.contextLength());
            Shape shape = new Shape(c.kvHeads(), cap, c.headDim());
            for (int i = 0; i < c.layers(); i++) {
                NDArray k = manager.zeros(shape, DataType.FLOAT32);
                NDArray v = manager.zeros(shape, DataType.FLOAT32);
                if (capacity > 0) {
                    NDIndex old = new NDIndex(":, 0:{}", capacity);
                    k.set(old, keys[i]);
                    v.set(old, values[i]);
                    keys[i].close();
                    values[i].close();
                }
                keys[i] = k;
                values[i] = v;
            }
            capacity = cap;
        }

        int sample(Sampler sampler) {
            int next = sampler.sample(lastLogits, 0, owner.tokenizer.vocabSize(), sampling, rng);
            lastLogprob = sampler.lastLogprob();
            lastToken = next;
            generated++;
            return next;
        }

        /** The logits (over the whole model vocabulary) from which the last token was chosen. */
        public float[] lastLogits() {
            return lastLogits == null ? null : lastLogits.clone();
        }

        @Override
        public int promptLength() {
            return prompt.length;
        }

        @Override
        public int generatedCount() {
            return generated;
        }

        @Override
        public int lastToken() {
            return lastToken;
        }

        @Override
        public double lastLogprob() {
            return lastLogprob;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            synchronized (owner) {
                if (!closed) {
                    closed = true;
                    manager.close();
                }
            }
        }
    }
}
