package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import java.util.SplittableRandom;

/**
 * Chooses the next token from logits: greedy, temperature, top-k and top-p (nucleus), and reports
 * the chosen token's log-probability under the unscaled distribution. Reuses its buffers: keep
 * one per decoding thread (not thread-safe).
 *
 * <pre>{@code
 * Sampler sampler = new Sampler(vocabSize);
 * SplittableRandom rng = new SplittableRandom(params.seed());
 * int next = sampler.sample(logits, 0, vocabSize, params, rng);
 * double lp = sampler.lastLogprob();
 * }</pre>
 */
public final class Sampler {

    private double[] probs;
    private int[] order;
    private float[] lastLogits;
    private int lastOffset;
    private int lastCount;
    private int lastChosen;
    private double lastMax;
    private double lastLogprob;
    private boolean logprobKnown;

    /** A sampler for a vocabulary of {@code vocabSize} ids; it reuses its buffers, so one per thread. */
    public Sampler(int vocabSize) {
        requireArgument(vocabSize >= 1, "vocabulary size must be >= 1, got %s", vocabSize);
        this.probs = new double[vocabSize];
        this.order = new int[vocabSize];
    }

    /**
     * Log-probability of the token returned by the last {@link #sample} call, computed on the first
     * call (a pass over the vocabulary that callers not reporting it skip) from the logits given to
     * {@code sample}, which must not have changed since.
     */
    public double lastLogprob() {
        if (!logprobKnown) {
            lastLogprob = logprob(lastLogits, lastOffset, lastCount, lastChosen, lastMax);
            logprobKnown = true;
        }
        return lastLogprob;
    }

    /**
     * The natural log-probability of {@code token} under the softmax of {@code logits[offset,
     * offset + n)} (unscaled: temperature 1).
     */
    public static double logprob(float[] logits, int offset, int n, int token) {
        requireArgument(token >= 0 && token < n, "token %s is outside [0, %s)", token, n);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        return logprob(logits, offset, n, token, max);
    }

    private static double logprob(float[] logits, int offset, int n, int token, double max) {
        double sumExp = 0;
        for (int i = 0; i < n; i++) {
            sumExp += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + token] - (max + Math.log(sumExp));
    }

    /**
     * Samples from {@code logits[offset, offset + n)}.
     *
     * @param rng the sequence's random stream (unused when greedy)
     */
    public int sample(float[] logits, int offset, int n, SamplingParams p, SplittableRandom rng) {
        if (probs.length < n) {
            probs = new double[n];
            order = new int[n];
        }
        double max = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (v > max) {
                max = v;
                argmax = i;
            }
        }
        int chosen;
        if (p.isGreedy()) {
            chosen = argmax;
        } else {
            chosen = sampleScaled(logits, offset, n, max, p, rng);
        }
        lastLogits = logits;
        lastOffset = offset;
        lastCount = n;
        lastChosen = chosen;
        lastMax = max;
        logprobKnown = false;
        return chosen;
    }

    private int sampleScaled(float[] logits, int offset, int n, double max, SamplingParams p, SplittableRandom rng) {
        double invT = 1.0 / p.temperature();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp((logits[offset + i] - max) * invT);
            probs[i] = e;
            total += e;
        }
        int k = n;
        boolean needOrder = (p.topK() > 0 && p.topK() < n) || p.topP() < 1;
        if (!needOrder) {
            return draw(n, total, rng, false);
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (p.topK() > 0 && p.topK() < n) {
            k = p.topK();
        }
        partialSortDescending(n, k);
        double kept = 0;
        int m = 0;
        double mass = 0;
        for (; m < k; m++) {
            kept += probs[order[m]];
        }
        if (p.topP() < 1) {
            double target = p.topP() * kept;
            int i = 0;
            for (; i < k; i++) {
                mass += probs[order[i]];
                if (mass >= target) {
                    i++;
                    break;
                }
            }
            k = Math.max(1, Math.min(i, k));
            kept = 0;
            for (int j = 0; j < k; j++) {
                kept += probs[order[j]];
            }
        }
        double r = rng.nextDouble() * kept;
        for (int j = 0; j < k; j++) {
            r -= probs[order[j]];
            if (r <= 0) {
                return order[j];
            }
        }
        return order[k - 1];
    }

    private int draw(int n, double total, SplittableRandom rng, boolean unused) {
        double r = rng.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= probs[i];
            if (r <= 0) {
                return i;
            }
        }
        return n - 1;
    }

    /** Moves the k largest probabilities to order[0..k) in descending order (ties: lower id first). */
    private void partialSortDescending(int n, int k) {
        if (k >= n / 4) {
            // Sort everything (insertion-free: simple merge sort on indices would allocate; use a heap sort).
            heapSortDescending(n);
            return;
        }
        // Selection by a min-heap of size k.
        for (int i = 0; i < k; i++) {
            siftUpMin(i);
        }
        for (int i = k; i < n; i++) {
            if (better(order[i], order[0])) {
                int t = order[0];
                order[0] = order[i];
                order[i] = t;
                siftDownMin(0, k);
            }
        }
        // Heap-sort the k kept entries into descending order.
        for (int end = k - 1; end > 0; end--) {
            int t = order[0];
            order[0] = order[end];
            order[end] = t;
            siftDownMin(0, end);
        }
    }

    private void heapSortDescending(int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDownMin(i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            int t = order[0];
            order[0] = order[end];
            order[end] = t;
            siftDownMin(0, end);
        }
    }

    /** a ranks before b: higher probability, then lower id. */
    private boolean better(int a, int b) {
        return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    }

    private void siftUpMin(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (better(order[parent], order[i])) {
                int t = order[parent];
                order[parent] = order[i];
                order[i] = t;
                i = parent;
            } else {
                return;
            }
        }
    }

    private void siftDownMin(int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && better(order[l], order[r])) {
                worst = r;
            }
            if (better(order[i], order[worst])) {
                int t = order[i];
                order[i] = order[worst];
                order[worst] = t;
                i = worst;
            } else {
                return;
            }
        }
    }
}
