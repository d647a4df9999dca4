package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import java.util.SplittableRandom;

/**
 * Chooses the next token from logits: greedy, temperature, top-k and top-p (nucleus), and reports
 * the chosen token's log-probability under the unscaled distribution. Reuses its buffers: keep
 * one per decoding thread (not thread-safe). A seed gives the same tokens on every run of one Java
 * version; on Java 25 and later temperature draws use a faster exponential (within 2·10⁻¹⁰ of {@code
 * Math.exp}), so a draw that lands that close to a boundary between two tokens can differ from
 * Java 17's.
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
        double min = Double.POSITIVE_INFINITY;
        double[] pr = probs;
        if (POLYNOMIAL_EXP) {
            for (int i = 0; i < n; i++) {
                double v = logits[offset + i];
                pr[i] = v;
                min = Math.min(min, v);
            }
        }
        if (POLYNOMIAL_EXP && (min - max) * invT >= -700) {
            // Every argument lies where the polynomial is exact to 2e-10 (otherwise, with a -inf
            // logit or a tiny temperature, Math.exp below gives the far tail its exact 0). All in
            // double, with no call: a loop the JIT vectorizes.
            for (int i = 0; i < n; i++) {
                pr[i] = expNonPositive((pr[i] - max) * invT);
            }
            total = sum(pr, n);
        } else {
            for (int i = 0; i < n; i++) {
                double e = Math.exp((logits[offset + i] - max) * invT);
                probs[i] = e;
                total += e;
            }
        }
        int k = n;
        boolean needOrder = (p.topK() > 0 && p.topK() < n) || p.topP() < 1;
        if (!needOrder) {
            return draw(n, total, rng);
        }
        if (p.topK() > 0 && p.topK() < n) {
            k = p.topK();
        }
        if (k == n) {
            // Top-p alone: the nucleus is usually a small part of the vocabulary, so select the
            // most probable tokens by their mass and sort only those, rather than sort all n
            // (8,192 logits: a full sort took ~0.8 ms a token).
            k = nucleus(n, p.topP() * total, total);
            return drawOrdered(k, rng);
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        partialSortDescending(n, k);
        if (p.topP() < 1) {
            double kept = 0;
            for (int j = 0; j < k; j++) {
                kept += probs[order[j]];
            }
            double target = p.topP() * kept;
            double mass = 0;
            int i = 0;
            for (; i < k; i++) {
                mass += probs[order[i]];
                if (mass >= target) {
                    i++;
                    break;
                }
            }
            k = Math.max(1, Math.min(i, k));
        }
        return drawOrdered(k, rng);
    }

    /**
     * Puts the nucleus's tokens in {@code order[0..c)} in descending order and returns {@code c}:
     * the fewest most probable tokens whose probabilities, summed in that order, reach {@code
     * target} (ties: lower id first), all {@code n} when none do — the full sort's prefix. A
     * selection by mass ({@link #selectByMass}) finds a few more tokens than that, in any order;
     * only they are sorted.
     */
    private int nucleus(int n, double target, double total) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Any order of summing these terms is within (n - 1)·2⁻⁵³ of their exact sum, so two orders
        // differ by less than n·2⁻⁵² of the total: with this margin the selected tokens' sum in
        // sorted order still reaches the target.
        double goal = target + total * n * 0x1p-52;
        int h = goal < total ? selectByMass(n, goal) : n;
        heapSortDescending(h);
        double mass = 0;
        for (int i = 0; i < h; i++) {
            mass += probs[order[i]];
            if (mass >= target) {
                return i + 1;
            }
        }
        return h;
    }

    /** Regions this small are finished by insertion sort. */
    private static final int SELECT_SMALL = 16;

    /**
     * Moves the fewest best tokens whose probabilities sum to at least {@code goal} to {@code
     * order[0..h)} (in no particular order; the rest after them) and returns {@code h}; {@code n}
     * when none do. A quickselect that follows the mass rather than a rank: each partition sums
     * the side better than its pivot and keeps the side where the goal is crossed, so it reads the
     * row a few times over, against the heap sort's {@code n log n}.
     */
    private int selectByMass(int n, double goal) {
        int lo = 0;
        int hi = n;
        double above = 0; // the mass of order[0..lo)
        int rounds = 2 * (32 - Integer.numberOfLeadingZeros(n)) + 8;
        while (hi - lo > SELECT_SMALL) {
            if (rounds-- == 0) {
                return n; // pivots this unlucky are for crafted rows: sort everything instead
            }
            int q = partition(lo, hi);
            double left = above + partitionMass;
            double pivot = probs[order[q]];
            if (left >= goal) {
                hi = q;
            } else if (left + pivot >= goal) {
                return q + 1;
            } else {
                above = left + pivot;
                lo = q + 1;
            }
        }
        insertionSortDescending(lo, hi);
        for (int i = lo; i < hi; i++) {
            above += probs[order[i]];
            if (above >= goal) {
                return i + 1;
            }
        }
        return hi;
    }

    /** Moves the {@code k} best tokens to {@code order[0..k)}, in no particular order. */
    private void selectTop(int n, int k) {
        int lo = 0;
        int hi = n;
        int rounds = 2 * (32 - Integer.numberOfLeadingZeros(n)) + 8;
        while (hi - lo > SELECT_SMALL) {
            if (rounds-- == 0) {
                heapSortDescending(n);
                return;
            }
            int q = partition(lo, hi);
            if (q == k || q == k - 1) {
                return;
            }
            if (q > k) {
                hi = q;
            } else {
                lo = q + 1;
            }
        }
        insertionSortDescending(lo, hi);
    }

    /** The mass of the better side of the last {@link #partition}. */
    private double partitionMass;

    /**
     * Partitions {@code order[lo..hi)} around the median of its first, middle and last tokens:
     * better tokens first, then the pivot (its index returned), then worse ones; the better side's
     * probabilities summed into {@link #partitionMass}.
     */
    private int partition(int lo, int hi) {
        int last = hi - 1;
        int mid = (lo + hi) >>> 1;
        if (better(order[mid], order[lo])) {
            swap(mid, lo);
        }
        if (better(order[last], order[lo])) {
            swap(last, lo);
        }
        if (better(order[mid], order[last])) {
            swap(mid, last);
        }
        // order[last] is now the median of the three
        int pivot = order[last];
        double pv = probs[pivot];
        int store = lo;
        double mass = 0;
        for (int i = lo; i < last; i++) {
            int t = order[i];
            double v = probs[t];
            if (v > pv || (v == pv && t < pivot)) {
                order[i] = order[store];
                order[store++] = t;
                mass += v;
            }
        }
        order[last] = order[store];
        order[store] = pivot;
        partitionMass = mass;
        return store;
    }

    private void insertionSortDescending(int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            int t = order[i];
            int j = i - 1;
            while (j >= lo && better(t, order[j])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = t;
        }
    }

    private void swap(int a, int b) {
        int t = order[a];
        order[a] = order[b];
        order[b] = t;
    }

    /** A draw among {@code order[0..k)} in proportion to their probabilities. */
    private int drawOrdered(int k, SplittableRandom rng) {
        double kept = 0;
        for (int j = 0; j < k; j++) {
            kept += probs[order[j]];
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

    /**
     * Whether temperature draws use {@link #expNonPositive} rather than {@code Math.exp}: its loop
     * over the vocabulary compiles to vector instructions on the C2 of JDK 25 (a draw from 8,192
     * logits, {@code SamplerBenchmark}: 23 against 41 µs; {@code Math.exp} is one scalar call per
     * logit), while JDK 17's C2 keeps the loop scalar (81 against 34 µs for the exponentials and
     * their sum), so older runtimes keep {@code Math.exp}. Versions 21–24 were not measured and keep
     * it too.
     */
    static final boolean POLYNOMIAL_EXP = Runtime.version().feature() >= 25;

    /**
     * {@code e^x} for {@code x ≤ 0}, within 2·10⁻¹⁰ (relative) of {@code Math.exp} down to {@code
     * x = -700} (callers keep to that range; below, it returns {@code e^-700}). {@code e^(x/1024)}
     * by its Taylor polynomial of degree 13 (error below 10⁻¹³ on {@code [-0.69, 0]}), then squared
     * ten times: no branch and no table, so a loop of it vectorizes.
     */
    static double expNonPositive(double x) {
        double y = Math.max(x, -700.0) * (1.0 / 1024);
        double p = 1.0 / 6227020800.0; // 1/13!
        p = p * y + 1.0 / 479001600.0;
        p = p * y + 1.0 / 39916800.0;
        p = p * y + 1.0 / 3628800.0;
        p = p * y + 1.0 / 362880.0;
        p = p * y + 1.0 / 40320.0;
        p = p * y + 1.0 / 5040.0;
        p = p * y + 1.0 / 720.0;
        p = p * y + 1.0 / 120.0;
        p = p * y + 1.0 / 24.0;
        p = p * y + 1.0 / 6.0;
        p = p * y + 0.5;
        p = p * y + 1.0;
        p = p * y + 1.0;
        // Squared ten times, written out: a loop here would keep the caller's loop scalar.
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }

    /** The sum of {@code a[0..n)} in four interleaved partial sums (four independent additions per cycle, not one). */
    private static double sum(double[] a, int n) {
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            t0 += a[i];
            t1 += a[i + 1];
            t2 += a[i + 2];
            t3 += a[i + 3];
        }
        for (; i < n; i++) {
            t0 += a[i];
        }
        return (t0 + t1) + (t2 + t3);
    }

    private int draw(int n, double total, SplittableRandom rng) {
        double r = rng.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= probs[i];
            if (r <= 0) {
                return i;
            }
        }
        return n - 1;
    }

    /**
     * Moves the k largest probabilities to order[0..k) in descending order (ties: lower id first):
     * a quickselect, then a sort of only those k.
     */
    private void partialSortDescending(int n, int k) {
        selectTop(n, k);
        heapSortDescending(k);
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
