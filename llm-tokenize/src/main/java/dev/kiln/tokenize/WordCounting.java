package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Parallel word counting shared by the trainers: the calling thread iterates the texts and hands
 * batches to worker threads; each pre-tokenizes its batches (special-token strings cut out) into
 * its own {@link WordCounts}; the tables are summed.
 *
 * <p><b>Memory cap.</b> {@code maxDistinctWords} bounds all tables together: each of the {@code
 * threads} tables holds at most {@code maxDistinctWords / threads} words and, when it outgrows
 * that, drops its rarest words (count 1, then up to 2, 4, ... until half full: lossy counting).
 */
final class WordCounting {

    private static final int BATCH_CHARS = 1 << 20;

    private final PieceSplitter preTokenizer;
    private final AddedTokenMatcher specials;
    private final int threads;
    private final int perThreadCap;

    WordCounting(PieceSplitter preTokenizer, SpecialTokens specials, int threads, int maxDistinctWords) {
        this.preTokenizer = preTokenizer;
        this.specials = specials.matcher();
        this.threads = threads;
        this.perThreadCap = Math.max(1, maxDistinctWords / threads);
    }

    /**
     * Counts the words of {@code texts}; with {@code lines}, every line (ending included) is its own
     * text, so no word spans a line end (how Hugging Face's trainer reads files).
     */
    WordCounts count(Iterable<String> texts, boolean lines, Progress progress) {
        if (threads == 1) {
            Counter c = new Counter(lines);
            for (String t : texts) {
                c.count(t);
                progress.advance(1, t.length());
            }
            return c.counts;
        }
        BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(threads * 2);
        List<String> poison = new ArrayList<>();
        Counter[] counters = new Counter[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Counter c = counters[t] = new Counter(lines);
            Thread th = new Thread(
                    () -> {
                        try {
                            while (true) {
                                List<String> batch = queue.take();
                                if (batch == poison) {
                                    return;
                                }
                                for (String s : batch) {
                                    c.count(s);
                                    progress.advance(1, s.length());
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                            queue.clear();
                        }
                    },
                    "kiln-count-" + t);
            th.setDaemon(true);
            th.start();
            workers.add(th);
        }
        try {
            try {
                List<String> batch = new ArrayList<>();
                long chars = 0;
                for (String s : texts) {
                    if (failure.get() != null) {
                        break;
                    }
                    batch.add(s);
                    chars += s.length();
                    if (chars >= BATCH_CHARS) {
                        queue.put(batch);
                        batch = new ArrayList<>();
                        chars = 0;
                    }
                }
                if (!batch.isEmpty() && failure.get() == null) {
                    queue.put(batch);
                }
            } finally {
                for (int t = 0; t < threads; t++) {
                    while (!queue.offer(poison)) {
                        if (failure.get() != null) {
                            queue.clear();
                        }
                        Thread.sleep(1);
                    }
                }
                for (Thread th : workers) {
                    th.join();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting words", e);
        }
        rethrow(failure.get());
        return merge(counters);
    }

    static void rethrow(Throwable f) {
        if (f == null) {
            return;
        }
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
        if (f instanceof IOException) {
            throw new UncheckedIOException((IOException) f);
        }
        throw new IllegalStateException(f);
    }

    private static WordCounts merge(Counter[] counters) {
        int biggest = 0;
        for (int i = 1; i < counters.length; i++) {
            if (counters[i].counts.size > counters[biggest].counts.size) {
                biggest = i;
            }
        }
        WordCounts all = counters[biggest].counts;
        for (int i = 0; i < counters.length; i++) {
            if (i != biggest) {
                all.addAll(counters[i].counts);
                counters[i].counts.clear();
            }
        }
        return all;
    }

    /** One thread's counter with reused buffers. */
    private final class Counter {
        final WordCounts counts = new WordCounts();
        private final boolean lines;
        private final CharArrayView view = new CharArrayView();
        private final int[] found = new int[1];
        private char[] buf = new char[1 << 16];

        Counter(boolean lines) {
            this.lines = lines;
        }

        void count(String text) {
            int n = text.length();
            if (buf.length < n) {
                buf = new char[Math.max(n, buf.length * 2)];
            }
            text.getChars(0, n, buf, 0);
            view.reset(buf, n);
            int segment = 0;
            if (!specials.isEmpty()) {
                // special-token strings are cut out, found as the tokenizer finds them
                int s;
                while ((s = specials.find(buf, segment, n, found)) >= 0) {
                    countSegment(segment, s);
                    segment = s + specials.patternLength(found[0]);
                }
            }
            countSegment(segment, n);
            if (counts.size > perThreadCap) {
                for (long t = 1; counts.size > perThreadCap / 2 && t < Long.MAX_VALUE / 2; t *= 2) {
                    counts.pruneAtMost(t);
                }
            }
        }

        private void countSegment(int from, int to) {
            if (!lines) {
                countWords(from, to);
                return;
            }
            int p = from;
            for (int i = from; i < to; i++) {
                if (buf[i] == '\n') {
                    countWords(p, i + 1);
                    p = i + 1;
                }
            }
            countWords(p, to);
        }

        private void countWords(int from, int to) {
            int p = from;
            while (p < to) {
                int q = preTokenizer.next(view, p, to);
                counts.add(buf, p, q, 1);
                p = q;
            }
        }
    }
}
