package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One parallel pass of {@link UnigramEm} over the training words: threads take blocks of words as
 * they finish the last one, each with its own lattice and {@code long} accumulators. The
 * accumulators are integers (counts, or fixed-point expected counts), so their sum is exact and
 * the result does not depend on the thread count or on which thread took which block.
 */
final class WordPass {

    private static final int BLOCK = 1024;

    private WordPass() {}

    /** The work for one word. */
    interface Task {
        /**
         * Handles word {@code w} with the thread's lattice, adding to its accumulators; returns
         * the word's share of the objective.
         */
        double run(int w, UnigramLattice lat, long[] acc);
    }

    /**
     * Runs {@code task} over words {@code [0, words)} on {@code threads} threads; returns the summed
     * accumulators ({@code accSize} each) and sets {@code objective[0]} to the summed objective
     * (a floating sum: for logging only, its last bits may depend on the order).
     */
    static long[] run(int words, int threads, int accSize, double[] objective, Progress progress, Task task) {
        int t = Math.max(1, Math.min(threads, (words + BLOCK - 1) / BLOCK));
        long[][] accs = new long[t][];
        double[] objs = new double[t];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] ths = new Thread[t - 1];
        for (int k = 0; k < t; k++) {
            int kk = k;
            Runnable r = () -> {
                try {
                    long[] acc = new long[accSize];
                    accs[kk] = acc;
                    UnigramLattice lat = new UnigramLattice();
                    double obj = 0;
                    for (int from = next.getAndAdd(BLOCK); from < words; from = next.getAndAdd(BLOCK)) {
                        int to = Math.min(words, from + BLOCK);
                        for (int w = from; w < to; w++) {
                            obj += task.run(w, lat, acc);
                        }
                        progress.advance(to - from);
                        if (failure.get() != null) {
                            break;
                        }
                    }
                    objs[kk] = obj;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            if (k == t - 1) {
                r.run();
            } else {
                ths[k] = start(r, "kiln-unigram-" + k);
            }
        }
        join(ths);
        WordCounting.rethrow(failure.get());
        long[] sum = accs[0];
        double obj = objs[0];
        for (int k = 1; k < t; k++) {
            long[] a = accs[k];
            for (int i = 0; i < accSize; i++) {
                sum[i] += a[i];
            }
            obj += objs[k];
        }
        objective[0] = obj;
        return sum;
    }

    /** Starts {@code r} on a new daemon thread. */
    static Thread start(Runnable r, String name) {
        Thread th = new Thread(r, name);
        th.setDaemon(true);
        th.start();
        return th;
    }

    /** Waits for {@code ths}; an interrupt becomes an {@link IllegalStateException}. */
    static void join(Thread[] ths) {
        try {
            for (Thread th : ths) {
                th.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        }
    }
}
