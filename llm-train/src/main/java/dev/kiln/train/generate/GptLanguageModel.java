package dev.kiln.train.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kiln.core.model.ChatTemplate;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.Sampler;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.Devices;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.PackedWeights;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A trained {@link GptModel} as Kiln's {@link LanguageModel}: step-level batched decoding over a
 * paged KV cache ({@link KvBlockPool}: one preallocated tensor per layer, handed out in blocks and
 * written in place), chunked prefill batched with running decodes (one forward pass per step: the
 * decodes and the prompt chunks share every matrix product and attend as two groups), prefix reuse
 * of cached blocks, and sampling through core's {@link Sampler}.
 *
 * <pre>{@code
 * try (LanguageModel lm = GptLanguageModel.builder().setModel(model).setTokenizer(tokenizer)
 *         .optKvCacheTokens(65_536).build()) {
 *     String text = lm.generate(GenerationRequest.builder().setPrompt("class A {").optMaxTokens(32).build())
 *             .collect().text();
 * }
 * }</pre>
 *
 * <p>Thread-safe: steps are serialised; {@link #prefill} runs beside them (one at a time), on its
 * own buffers, writing only its session's blocks of the shared pool.
 */
public final class GptLanguageModel implements LanguageModel {

    private final GptModel model;
    private final Tokenizer tokenizer;
    private final String id;
    private final boolean ownsModel;
    private final Sampler sampler;
    private final GptConfig config;
    private final KvBlockPool pool;
    private final ChatTemplate chatTemplate;
    /** The weights packed for the CPU's products when built, or null. */
    private final PackedWeights packed;

    final BatchStep batch;
    /** Serialises {@link #prefill} calls; {@link #close()} takes it to wait for one in progress. */
    private final Object laneLock = new Object();
    /** The buffers of {@link #prefill}, beside the step's; made at the first call. */
    private BatchStep lane;

    private volatile boolean closed;

    /**
     * A model with the default KV cache (see {@link Builder#optKvCacheBytes}) and prefix caching on.
     *
     * @param ownsModel whether {@link #close()} closes {@code model}
     */
    public GptLanguageModel(GptModel model, Tokenizer tokenizer, String id, boolean ownsModel) {
        this(builder().setModel(model).setTokenizer(tokenizer).optId(id).optOwnsModel(ownsModel));
    }

    private GptLanguageModel(Builder b) {
        if (b.model == null || b.tokenizer == null) {
            throw new IllegalArgumentException("setModel(...) and setTokenizer(...) are required");
        }
        if (b.tokenizer.vocabSize() > b.model.config().vocabSize()) {
            throw new IllegalArgumentException(
                    "the tokenizer has " + b.tokenizer.vocabSize() + " ids but the model's vocabulary holds "
                            + b.model.config().vocabSize());
        }
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.id = b.id;
        this.ownsModel = b.ownsModel;
        this.config = model.config();
        this.sampler = new Sampler(config.vocabSize());
        this.chatTemplate = b.chatTemplate;
        int tokens = b.kvTokens > 0 ? b.kvTokens : KvBlockPool.defaultTokens(config, b.kvBytes);
        if (tokens < b.blockSize) {
            throw new IllegalArgumentException(
                    "the KV cache budget holds " + tokens + " token positions, less than one block of " + b.blockSize);
        }
        this.packed = b.packedWeights
                ? PackedWeights.builder()
                        .setModel(model)
                        .optHelperThreads(b.helperThreads)
                        .build()
                        .orElse(null)
                : null;
        try {
            this.pool = new KvBlockPool(config, model.manager(), tokens, b.blockSize, b.prefixCache);
        } catch (RuntimeException | Error e) {
            if (packed != null) {
                packed.close();
            }
            throw e;
        }
        this.batch = new BatchStep(model, pool, sampler, packed);
    }

    /** A builder; the model and the tokenizer are required. */
    public static Builder builder() {
        return new Builder();
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

    /**
     * Native bytes of the weights packed for the CPU's matrix products (0 when they are not packed:
     * see {@link Builder#optPackedWeights}).
     */
    public long packedWeightBytes() {
        return packed == null ? 0 : packed.bytes();
    }

    /** Helper threads sharing the packed products (0: none, or the weights are not packed). */
    public int helperThreads() {
        return packed == null ? 0 : packed.helperThreads();
    }

    /** The model that generates. */
    public GptModel model() {
        return model;
    }

    @Override
    public Optional<KvCacheStats> kvCache() {
        return Optional.of(pool);
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public boolean supportsChunkedPrefill() {
        return true;
    }

    @Override
    public DecodeSession open(int[] promptIds, SamplingParams sampling) {
        return open(promptIds, sampling, Integer.MAX_VALUE);
    }

    @Override
    public synchronized DecodeSession open(int[] promptIds, SamplingParams sampling, int maxNewTokens) {
        ensureOpen();
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("a decode session needs at least one prompt token");
        }
        if (promptIds.length >= config.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + promptIds.length + " tokens; model '" + id
                    + "' holds " + config.contextLength() + " tokens, so nothing can be generated");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
        for (int t : promptIds) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "prompt token id " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        // The last sampled token needs no position: prompt + maxNew - 1 positions at most.
        int total = (int) Math.min(config.contextLength(), (long) promptIds.length + maxNewTokens - 1);
        int[] reservation = new int[1];
        int[] hits = pool.open(promptIds, Math.max(total, promptIds.length), reservation);
        return new Session(
                this, promptIds.clone(), sampling == null ? SamplingParams.GREEDY : sampling, hits, reservation[0]);
    }

    @Override
    public int[] step(List<? extends DecodeSession> sessions) {
        int[] limits = new int[sessions.size()];
        Arrays.fill(limits, Integer.MAX_VALUE);
        return step(sessions, limits);
    }

    /**
     * The most key positions a short chunk joining the one-token rows may add to their gather
     * (tokens times the group's width); beyond it the chunk's own attention group costs less than
     * the copies.
     */
    static final int FLAT_CHUNK_POSITIONS = 4096;

    @Override
    public synchronized int[] step(List<? extends DecodeSession> sessions, int[] prefillLimits) {
        ensureOpen();
        Devices.applyThreads(); // the serving thread is not the one that loaded the model
        int n = sessions.size();
        if (prefillLimits.length != n) {
            throw new IllegalArgumentException(
                    "prefill limits (" + prefillLimits.length + ") must align with the sessions (" + n + ")");
        }
        Session[] all = new Session[n];
        int[] counts = new int[n];
        int widestDecode = 0;
        for (int i = 0; i < n; i++) {
            if (!(sessions.get(i) instanceof Session s) || s.owner != this) {
                throw new IllegalArgumentException("session " + i + " was not opened by model '" + id + "'");
            }
            if (s.closed) {
                throw new IllegalArgumentException("session " + i + " is closed");
            }
            if (s.inLane) {
                throw new IllegalArgumentException(
                        "session " + i + " is being prefilled by prefill(...) on another thread");
            }
            if (s.length >= config.contextLength()) {
                throw new IllegalArgumentException("session " + i + " is full: it holds " + s.length
                        + " tokens, the context length of model '" + id + "' is " + config.contextLength());
            }
            all[i] = s;
            int pending = s.length - s.cached;
            counts[i] = s.prefilling() ? Math.min(pending, Math.max(1, prefillLimits[i])) : pending;
            if (!s.prefilling()) {
                widestDecode = Math.max(widestDecode, s.length);
            }
        }
        // One-token rows share one attention group. A prompt's single remaining token joins them
        // only when it does not widen that group: the group attends over its widest row for every
        // row, and a long prompt's last token there made every stream's step attend over the whole
        // prompt.
        boolean[] single = new boolean[n];
        int decodes = 0;
        for (int i = 0; i < n; i++) {
            Session s = all[i];
            single[i] = !s.prefilling() || (counts[i] == 1 && s.cached + 1 <= widestDecode);
            if (single[i]) {
                decodes++;
            }
        }
        // A short chunk that ends its prompt and widens nothing joins the one-token rows too, one
        // row per token (each row attends over its own positions), instead of a second attention
        // group (its own gathers, products and softmax per layer; every matrix product is shared
        // either way): the new requests' short prompts in a busy batch. Its rows may at most
        // double the group, and each gathers the group's width of keys, so only while that stays
        // small. A long prompt's chunks keep their own group, so that every chunk of it costs what
        // the scheduler's time budget measured (a cheap joined chunk among them misled it).
        int room = decodes;
        for (int i = 0; i < n && room > 1; i++) {
            Session s = all[i];
            if (!single[i]
                    && s.cached + counts[i] == s.length
                    && counts[i] <= room
                    && s.cached + counts[i] <= widestDecode
                    && (long) counts[i] * widestDecode <= FLAT_CHUNK_POSITIONS) {
                single[i] = true;
                decodes++;
                room -= counts[i];
            }
        }
        return batch.run(all, counts, single, decodes);
    }

    @Override
    public boolean supportsConcurrentPrefill() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here the chunk runs as its own forward pass on separate step buffers, concurrently with
     * {@link #step}: the model's weights are only read, the pool's bookkeeping is locked briefly,
     * and each pass writes only its own sessions' blocks. The packed products' helper threads are
     * paused while it runs: the core they would use is the one this call computes on.
     */
    @Override
    public int prefill(DecodeSession session, int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("prefill needs at least 1 token, got " + maxTokens);
        }
        if (!(session instanceof Session s) || s.owner != this) {
            throw new IllegalArgumentException("the session was not opened by model '" + id + "'");
        }
        synchronized (laneLock) {
            ensureOpen();
            synchronized (pool) {
                if (s.closed) {
                    return 0;
                }
                s.inLane = true;
            }
            try {
                int n = Math.min(maxTokens, s.prompt.length - 1 - s.cached);
                if (n <= 0) {
                    return 0;
                }
                Devices.applyThreads();
                if (lane == null) {
                    lane = new BatchStep(model, pool, sampler, packed);
                }
                if (packed != null) {
                    packed.pauseHelpers(true); // their core is this call's
                }
                try {
                    lane.prefill(s, n);
                } finally {
                    if (packed != null) {
                        packed.pauseHelpers(false);
                    }
                }
                return n;
            } finally {
                synchronized (pool) {
                    s.inLane = false;
                    if (s.closed) {
                        s.free(); // closed while its chunk ran
                    }
                }
            }
        }
    }

    /** Daemon threads in Linux's idle scheduling class ({@link Devices#idlePriority()}). */
    @Override
    public java.util.concurrent.ThreadFactory prefillThreads() {
        return r -> Thread.ofPlatform().daemon().unstarted(() -> {
            Devices.idlePriority();
            r.run();
        });
    }

    @Override
    public boolean supportsScoring() {
        return true;
    }

    @Override
    public synchronized double[] score(int[] ids) {
        ensureOpen();
        Devices.applyThreads();
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
        synchronized (laneLock) {
            closeNow();
        }
    }

    private void closeNow() {
        if (!closed) {
            closed = true;
            batch.close();
            if (lane != null) {
                lane.close();
            }
            pool.close();
            if (packed != null) {
                packed.close();
            }
            if (ownsModel) {
                model.close();
            }
        }
    }

    /** One sequence: its tokens, sampling state and block table in the model's KV pool. */
    public static final class Session implements DecodeSession {
        final GptLanguageModel owner;
        final int[] prompt;
        private final SamplingParams sampling;
        private final SplittableRandom rng;
        private final int reused;
        int[] tokens;
        int length;
        int[] blocks;
        private int blockCount;
        private int reservation;
        private int registered;
        private long chain;
        int cached;
        private int generated;
        private int lastToken = -1;
        private double lastLogprob;
        private boolean logprobKnown;
        float[] lastLogits;
        volatile boolean closed;
        /** Whether a {@link GptLanguageModel#prefill} call holds the session (guarded by the pool). */
        volatile boolean inLane;

        Session(GptLanguageModel owner, int[] prompt, SamplingParams sampling, int[] hits, int reservation) {
            this.owner = owner;
            this.prompt = prompt;
            this.sampling = sampling;
            this.rng = new SplittableRandom(sampling.seed());
            this.tokens = Arrays.copyOf(prompt, Math.min(owner.config.contextLength(), prompt.length + 64));
            this.length = prompt.length;
            int bs = owner.pool.blockSize();
            this.blocks = Arrays.copyOf(hits, Math.max(4, hits.length + 4));
            this.blockCount = hits.length;
            this.registered = hits.length;
            this.cached = hits.length * bs;
            this.reused = cached;
            this.reservation = reservation;
            // The chain id of the last reused block: re-registering it returns its existing id.
            long c = 0;
            for (int i = 0; i < hits.length; i++) {
                c = owner.pool.register(hits[i], c, prompt, i * bs);
            }
            this.chain = c;
        }

        /** Gives the session blocks for positions {@code 0..n-1}. */
        void ensureBlocks(int n) {
            int bs = owner.pool.blockSize();
            while (blockCount * bs < n) {
                if (blockCount == blocks.length) {
                    blocks = Arrays.copyOf(blocks, blocks.length * 2);
                }
                boolean reserved = reservation > 0;
                blocks[blockCount++] = owner.pool.allocate(reserved);
                if (reserved) {
                    reservation--;
                }
            }
        }

        /** Whether part of the prompt is still to be computed. */
        boolean prefilling() {
            return cached < prompt.length;
        }

        /** Registers the full blocks computed so far for prefix reuse. */
        void registerFullBlocks() {
            int bs = owner.pool.blockSize();
            while ((registered + 1) * bs <= cached) {
                chain = owner.pool.register(blocks[registered], chain, tokens, registered * bs);
                registered++;
            }
        }

        int sample(Sampler sampler) {
            int next = sampler.sample(lastLogits, 0, owner.tokenizer.vocabSize(), sampling, rng);
            logprobKnown = false; // computed on demand from lastLogits, which stay until the next step
            lastToken = next;
            generated++;
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, Math.min(owner.config.contextLength(), tokens.length * 2));
            }
            if (length < tokens.length) {
                tokens[length] = next;
            }
            length++;
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
        public int prefilledTokens() {
            return Math.min(cached, prompt.length);
        }

        @Override
        public int reusedPromptTokens() {
            return reused;
        }

        @Override
        public int lastToken() {
            return lastToken;
        }

        @Override
        public double lastLogprob() {
            if (!logprobKnown && lastToken >= 0) {
                lastLogprob = Sampler.logprob(lastLogits, 0, owner.tokenizer.vocabSize(), lastToken);
                logprobKnown = true;
            }
            return lastLogprob;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            synchronized (owner) {
                synchronized (owner.pool) {
                    if (!closed) {
                        closed = true;
                        if (!inLane) {
                            free(); // else the prefill call frees it when its chunk is written
                        }
                    }
                }
            }
        }

        /** Returns the session's blocks and unused reservation to the pool (once). */
        void free() {
            if (!owner.closed) {
                owner.pool.release(blocks, blockCount, reservation);
            }
            blockCount = 0;
            reservation = 0;
        }
    }

    /** Model settings: the KV cache budget (tokens or bytes), its block size, prefix caching. */
    public static final class Builder {
        private GptModel model;
        private Tokenizer tokenizer;
        private String id = "gpt";
        private boolean ownsModel;
        private int kvTokens;
        private long kvBytes;
        private int blockSize = 16;
        private boolean prefixCache = true;
        private boolean packedWeights = true;
        private int helperThreads;
        private ChatTemplate chatTemplate;

        private Builder() {}

        /** The chat template (e.g. from an imported model's {@code tokenizer_config.json}); default none. */
        public Builder optChatTemplate(ChatTemplate template) {
            this.chatTemplate = template;
            return this;
        }

        /** The model to generate with (required). */
        public Builder setModel(GptModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
            return this;
        }

        /** The tokenizer the model was trained with (required). */
        public Builder setTokenizer(Tokenizer tokenizer) {
            if (tokenizer == null) {
                throw new IllegalArgumentException("tokenizer must not be null");
            }
            this.tokenizer = tokenizer;
            return this;
        }

        /** The name in logs and listings (default "gpt"). */
        public Builder optId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("model id must not be blank, got '" + id + "'");
            }
            this.id = id;
            return this;
        }

        /** Whether {@link GptLanguageModel#close()} closes the model (default false). */
        public Builder optOwnsModel(boolean owns) {
            this.ownsModel = owns;
            return this;
        }

        /** KV cache size in token positions (over all sessions); overrides {@link #optKvCacheBytes}. */
        public Builder optKvCacheTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("KV cache tokens must be >= 1, got " + tokens);
            }
            this.kvTokens = tokens;
            return this;
        }

        /**
         * KV cache size in bytes (float32 keys and values of every layer). Default: a quarter of
         * the machine's memory, at most 64 full contexts; pages are committed as they are used.
         */
        public Builder optKvCacheBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("KV cache bytes must be >= 1, got " + bytes);
            }
            this.kvBytes = bytes;
            return this;
        }

        /** Token positions per KV block (default 16). */
        public Builder optBlockSize(int n) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("KV block size must be in [1, 1024], got " + n);
            }
            this.blockSize = n;
            return this;
        }

        /**
         * Whether the projection weights are packed for the CPU's matrix products when the model is
         * built (default true; see {@link PackedWeights}: a float32 model on the CPU with libtorch's
         * MKL, else the ordinary products). The packed copies are a snapshot of the weights, about
         * their size in native memory; {@code KILN_PACKED_WEIGHTS=off} turns packing off everywhere.
         */
        public Builder optPackedWeights(boolean on) {
            this.packedWeights = on;
            return this;
        }

        /**
         * Threads that share the packed matrix products of a step of two or more rows with the
         * stepping thread (default 0; see {@link PackedWeights.Builder#optHelperThreads}: at Linux's
         * idle priority, on a core the compute threads leave free). No effect without packed weights.
         */
        public Builder optHelperThreads(int n) {
            if (n < 0 || n > 64) {
                throw new IllegalArgumentException("helper threads must be in [0, 64], got " + n);
            }
            this.helperThreads = n;
            return this;
        }

        /** Whether prompts reuse cached blocks of an equal prefix (default true). */
        public Builder optPrefixCache(boolean on) {
            this.prefixCache = on;
            return this;
        }

        /**
         * Applies provider options: {@code kv_cache_tokens}, {@code kv_cache_bytes}, {@code
         * kv_block_size}, {@code prefix_cache}, {@code packed_weights} (true/false), {@code helper_threads}.
         */
        public Builder optOptions(java.util.Map<String, String> options) {
            ProviderOptions.apply(this, options);
            return this;
        }

        /** The language model with the settings given. */
        public GptLanguageModel build() {
            return new GptLanguageModel(this);
        }
    }
}
