package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A count-based n-gram language model over any {@link Tokenizer}: a real (if small) model that
 * needs no native engine. It is Kiln's baseline, and what llm-eval and llm-serve test against
 * when DJL is not on the class path.
 *
 * <pre>{@code
 * Tokenizer tok = ByteTokenizer.withCodeSpecials();
 * LanguageModel m = NgramLanguageModel.train(tok, List.of(javaSources), 6, 2048);
 * String out = m.generate(GenerationRequest.builder().setPrompt("public static").build()).collect().text();
 * }</pre>
 *
 * <p>Probabilities interpolate every order from unigram up (Witten–Bell style: {@code p_k(w) =
 * (c(ctx, w) + a * p_{k-1}(w)) / (c(ctx) + a)} with {@code a} = number of distinct
 * continuations). Immutable after training; sessions are independent, so it is thread-safe.
 */
public final class NgramLanguageModel implements LanguageModel {

    private final Tokenizer tokenizer;
    private final int order;
    private final int contextLength;
    private final List<Map<Long, int[]>> tables; // per order k>=1: context hash -> [tok,count]* packed
    private final double[] unigram;
    private volatile boolean closed;

    private NgramLanguageModel(
            Tokenizer tokenizer, int order, int contextLength, List<Map<Long, int[]>> tables, double[] unigram) {
        this.tokenizer = tokenizer;
        this.order = order;
        this.contextLength = contextLength;
        this.tables = tables;
        this.unigram = unigram;
    }

    /**
     * Counts n-grams of {@code texts}, each text followed by the end-of-text token when the
     * tokenizer has one.
     *
     * @param order n (≥ 1): the longest context is n − 1 tokens
     * @param contextLength the context the model reports (prompt + generation)
     */
    public static NgramLanguageModel train(Tokenizer tokenizer, Iterable<String> texts, int order, int contextLength) {
        requireArgument(order >= 1 && order <= 16, "order must be in [1, 16], got %s", order);
        requireArgument(contextLength >= 2, "context length must be >= 2, got %s", contextLength);
        int v = tokenizer.vocabSize();
        long[] uni = new long[v];
        List<Map<Long, Map<Integer, Integer>>> counts = new ArrayList<>();
        for (int k = 1; k < order; k++) {
            counts.add(new HashMap<>());
        }
        int eot = tokenizer.endOfTextId().orElse(-1);
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            if (eot >= 0) {
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = eot;
            }
            for (int i = 0; i < ids.length; i++) {
                uni[ids[i]]++;
                long h = 0;
                for (int k = 1; k < order && i - k >= 0; k++) {
                    h = mix(h, ids[i - k]);
                    counts.get(k - 1).computeIfAbsent(h, x -> new HashMap<>()).merge(ids[i], 1, Integer::sum);
                }
            }
        }
        double total = 0;
        for (long c : uni) {
            total += c + 1;
        }
        double[] unigram = new double[v];
        for (int i = 0; i < v; i++) {
            unigram[i] = (uni[i] + 1) / total;
        }
        List<Map<Long, int[]>> tables = new ArrayList<>();
        for (Map<Long, Map<Integer, Integer>> m : counts) {
            Map<Long, int[]> t = new HashMap<>(m.size() * 2);
            for (Map.Entry<Long, Map<Integer, Integer>> e : m.entrySet()) {
                int[] packed = new int[e.getValue().size() * 2];
                int j = 0;
                for (Map.Entry<Integer, Integer> c : e.getValue().entrySet()) {
                    packed[j++] = c.getKey();
                    packed[j++] = c.getValue();
                }
                t.put(e.getKey(), packed);
            }
            tables.add(t);
        }
        return new NgramLanguageModel(tokenizer, order, contextLength, tables, unigram);
    }

    private static long mix(long h, int token) {
        long x = (h ^ (token + 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 31);
    }

    /** Natural-log probabilities of the next token after {@code ids[0, len)}, into {@code out}. */
    void logits(int[] ids, int len, float[] out) {
        int v = unigram.length;
        double[] p = unigram.clone();
        long h = 0;
        for (int k = 1; k < order && len - k >= 0; k++) {
            h = mix(h, ids[len - k]);
            int[] packed = tables.get(k - 1).get(h);
            if (packed == null) {
                break;
            }
            long total = 0;
            int distinct = packed.length / 2;
            for (int j = 1; j < packed.length; j += 2) {
                total += packed[j];
            }
            double a = distinct;
            double denom = total + a;
            for (int i = 0; i < v; i++) {
                p[i] = a * p[i] / denom;
            }
            for (int j = 0; j < packed.length; j += 2) {
                p[packed[j]] += packed[j + 1] / denom;
            }
        }
        for (int i = 0; i < v; i++) {
            out[i] = (float) Math.log(p[i]);
        }
    }

    @Override
    public String id() {
        return "ngram-" + order;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public DecodeSession open(int[] promptIds, SamplingParams sampling) {
        if (closed) {
            throw new IllegalStateException("model '" + id() + "' is closed");
        }
        requireArgument(
                promptIds.length != 0 && promptIds.length < contextLength,
                "prompt length must be in [1, %s], got %s",
                (contextLength - 1),
                promptIds.length);
        for (int id : promptIds) {
            requireArgument(
                    id >= 0 && id < tokenizer.vocabSize(),
                    "prompt token id %s is outside the vocabulary [0, %s)",
                    id,
                    tokenizer.vocabSize());
        }
        return new Session(this, promptIds, sampling);
    }

    @Override
    public int[] step(List<? extends DecodeSession> sessions) {
        int[] out = new int[sessions.size()];
        for (int i = 0; i < out.length; i++) {
            DecodeSession d = sessions.get(i);
            if (!(d instanceof Session s) || s.model != this) { // s stays in scope below: a plain check
                throw new IllegalArgumentException("session " + i + " was not opened by model '" + id() + "'");
            }
            out[i] = s.advance();
        }
        return out;
    }

    @Override
    public boolean supportsScoring() {
        return true;
    }

    @Override
    public double[] score(int[] ids) {
        float[] logits = new float[tokenizer.vocabSize()];
        double[] out = new double[Math.max(0, ids.length - 1)];
        for (int i = 1; i < ids.length; i++) {
            logits(ids, i, logits);
            out[i - 1] = logits[ids[i]];
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    private static final class Session implements DecodeSession {
        private final NgramLanguageModel model;
        private final SamplingParams sampling;
        private final SplittableRandom rng;
        private final Sampler sampler;
        private final float[] logits;
        private final int promptLength;
        private int[] ids;
        private int len;
        private int last = -1;
        private double lastLogprob;
        private volatile boolean closed;

        Session(NgramLanguageModel model, int[] prompt, SamplingParams sampling) {
            this.model = model;
            this.sampling = sampling;
            this.rng = new SplittableRandom(sampling.seed());
            this.sampler = new Sampler(model.tokenizer.vocabSize());
            this.logits = new float[model.tokenizer.vocabSize()];
            this.ids = Arrays.copyOf(prompt, Math.max(prompt.length + 16, 32));
            this.len = prompt.length;
            this.promptLength = prompt.length;
        }

        int advance() {
            requireArgument(!closed, "the session is closed");
            requireArgument(len < model.contextLength, "the session is full (%s tokens = context length)", len);
            model.logits(ids, len, logits);
            last = sampler.sample(logits, 0, logits.length, sampling, rng);
            lastLogprob = sampler.lastLogprob();
            if (len == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[len++] = last;
            return last;
        }

        @Override
        public int promptLength() {
            return promptLength;
        }

        @Override
        public int generatedCount() {
            return len - promptLength;
        }

        @Override
        public int lastToken() {
            return last;
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
            closed = true;
        }
    }
}
