package dev.kiln.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sampler's polynomial exponential against {@code Math.exp}, and its draws (temperature,
 * top-p, top-k with top-p) against a plain implementation: {@code Math.exp}, a full sort, sums in
 * order.
 */
class SamplerTest {

    @Test
    void polynomialExpIsWithinTwoTenBillionthsOfMathExp() {
        double worst = 0;
        double worstAt = 0;
        for (int i = 0; i <= 7_000_000; i++) {
            double x = -i / 10_000.0;
            double exact = Math.exp(x);
            double rel = Math.abs(Sampler.expNonPositive(x) - exact) / exact;
            if (rel > worst) {
                worst = rel;
                worstAt = x;
            }
        }
        assertThat(worst).as("worst relative error, at x = %s", worstAt).isLessThan(2e-10);
        assertThat(Sampler.expNonPositive(0)).isEqualTo(1.0);
    }

    @Test
    void temperatureDrawsAreThoseOfMathExp() {
        int vocab = 8192;
        Sampler sampler = new Sampler(vocab);
        SplittableRandom data = new SplittableRandom(7);
        float[] logits = new float[vocab];
        int draws = 0;
        for (double temperature : new double[] {0.2, 0.8, 1.5}) {
            SamplingParams p = new SamplingParams(temperature, 1, 0, 0);
            for (int seed = 0; seed < 300; seed++) {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) (data.nextGaussian() * 4);
                }
                if (seed % 10 == 0) {
                    logits[seed % vocab] = Float.NEGATIVE_INFINITY; // a banned token: Math.exp's exact 0
                }
                int got = sampler.sample(logits, 0, vocab, p, new SplittableRandom(seed));
                int expected = referenceDraw(logits, temperature, new SplittableRandom(seed));
                assertThat(got).as("T=%s seed %s", temperature, seed).isEqualTo(expected);
                assertThat(logits[got]).isGreaterThan(Float.NEGATIVE_INFINITY);
                draws++;
            }
        }
        assertThat(draws).isEqualTo(900);
    }

    @Test
    void nucleusDrawsAreThoseOfAFullSort() {
        int vocab = 8192;
        Sampler sampler = new Sampler(vocab);
        SplittableRandom data = new SplittableRandom(11);
        float[] logits = new float[vocab];
        int draws = 0;
        int[] nucleusSizes = new int[2];
        // Sharp rows (small nuclei, the first round suffices) and flat ones (the rounds grow to the
        // whole vocabulary), ties included (logits rounded to a coarse grid).
        for (double spread : new double[] {8, 3, 0.3}) {
            for (double topP : new double[] {0.5, 0.9, 0.999}) {
                for (int topK : new int[] {0, 40, 3000}) {
                    SamplingParams p = new SamplingParams(0.8, topP, topK, 0);
                    for (int seed = 0; seed < 20; seed++) {
                        for (int i = 0; i < vocab; i++) {
                            logits[i] = Math.round(data.nextGaussian() * spread * 8) / 8f;
                        }
                        int got = sampler.sample(logits, 0, vocab, p, new SplittableRandom(seed));
                        int[] size = new int[1];
                        int expected = referenceNucleus(logits, 0.8, topP, topK, new SplittableRandom(seed), size);
                        assertThat(got)
                                .as("spread %s top_p %s top_k %s seed %s", spread, topP, topK, seed)
                                .isEqualTo(expected);
                        if (topK == 0) { // the selection by mass: finished by insertion sort, or partitioned
                            nucleusSizes[size[0] > 64 ? 1 : 0]++;
                        }
                        draws++;
                    }
                }
            }
        }
        assertThat(draws).isEqualTo(540);
        assertThat(nucleusSizes[0]).as("top-p-only nuclei of at most 64").isGreaterThan(20);
        assertThat(nucleusSizes[1]).as("top-p-only nuclei of more than 64").isGreaterThan(20);
    }

    @Test
    void selectionsOfOrderedAndFlatRowsAreThoseOfAFullSort() {
        // Rows that make a quickselect's pivots poor or its ties many: all equal, sorted either way,
        // organ pipe, two values; nuclei from one token to the whole row (top_p 0.999999).
        int vocab = 4096;
        Sampler sampler = new Sampler(vocab);
        float[] logits = new float[vocab];
        int draws = 0;
        for (int shape = 0; shape < 5; shape++) {
            for (int i = 0; i < vocab; i++) {
                logits[i] = switch (shape) {
                    case 0 -> 1.5f;
                    case 1 -> i / 512f;
                    case 2 -> -i / 512f;
                    case 3 -> Math.min(i, vocab - i) / 512f;
                    default -> i % 2 == 0 ? 0f : 3f;
                };
            }
            for (double topP : new double[] {0.01, 0.5, 0.9, 0.999999, 1}) {
                for (int topK : new int[] {0, 7, 1024, 4000}) {
                    if (topP == 1 && topK == 0) {
                        continue; // a plain temperature draw: no order, walks the ids as they come
                    }
                    SamplingParams p = new SamplingParams(0.8, topP, topK, 0);
                    for (int seed = 0; seed < 3; seed++) {
                        int got = sampler.sample(logits, 0, vocab, p, new SplittableRandom(seed));
                        int expected =
                                referenceNucleus(logits, 0.8, topP, topK, new SplittableRandom(seed), new int[1]);
                        assertThat(got)
                                .as("shape %s top_p %s top_k %s seed %s", shape, topP, topK, seed)
                                .isEqualTo(expected);
                        draws++;
                    }
                }
            }
        }
        assertThat(draws).isEqualTo(285);
    }

    /** Top-k then top-p over a full sort (probability descending, then id), as the OpenAI-style parameters define it. */
    private static int referenceNucleus(
            float[] logits, double temperature, double topP, int topK, SplittableRandom rng, int[] size) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] probs = new double[n];
        for (int i = 0; i < n; i++) {
            probs[i] = Math.exp((logits[i] - max) / temperature);
        }
        Integer[] ids = new Integer[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        java.util.Arrays.sort(ids, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : a - b);
        int k = topK > 0 && topK < n ? topK : n;
        double kept = 0;
        for (int j = 0; j < k; j++) {
            kept += probs[ids[j]];
        }
        double mass = 0;
        int c = k;
        for (int j = 0; j < k; j++) {
            mass += probs[ids[j]];
            if (mass >= topP * kept) {
                c = j + 1;
                break;
            }
        }
        size[0] = c;
        double total = 0;
        for (int j = 0; j < c; j++) {
            total += probs[ids[j]];
        }
        double r = rng.nextDouble() * total;
        for (int j = 0; j < c; j++) {
            r -= probs[ids[j]];
            if (r <= 0) {
                return ids[j];
            }
        }
        return ids[c - 1];
    }

    /** A temperature draw written out with {@code Math.exp}, summed in order. */
    private static int referenceDraw(float[] logits, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] probs = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            probs[i] = Math.exp((logits[i] - max) / temperature);
            total += probs[i];
        }
        double r = rng.nextDouble() * total;
        for (int i = 0; i < logits.length; i++) {
            r -= probs[i];
            if (r <= 0) {
                return i;
            }
        }
        return logits.length - 1;
    }
}
