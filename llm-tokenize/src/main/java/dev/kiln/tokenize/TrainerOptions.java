package dev.kiln.tokenize;

import dev.kiln.core.progress.ProgressSink;
import java.util.Objects;

/**
 * The options both trainers' builders share (special tokens, threads, the memory bound, progress),
 * checked at the setter; {@link BpeTrainer.Builder} and {@link UnigramTrainer.Builder} extend it.
 * A built trainer copies them into its {@link TrainingInput}.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class TrainerOptions<B extends TrainerOptions<B>> {

    SpecialTokens specials = SpecialTokens.codeDefaults();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    int maxDistinctWords = 8_000_000;
    ProgressSink sink;

    TrainerOptions() {}

    abstract B self();

    /**
     * The special tokens, in id order (default {@link SpecialTokens#codeDefaults()}). Their strings
     * are cut out of training text, found as the trained tokenizer finds them.
     */
    public B optSpecialTokens(SpecialTokens specials) {
        this.specials = Objects.requireNonNull(specials, "specials");
        return self();
    }

    /** Worker threads (default: available processors). */
    public B optThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        return self();
    }

    /**
     * Memory bound: distinct words kept by all counting threads together (default 8,000,000). When
     * it is hit, the counts of rare words are approximate (lossy counting).
     */
    public B optMaxDistinctWords(int maxDistinctWords) {
        if (maxDistinctWords < 1) {
            throw new IllegalArgumentException("max distinct words must be >= 1, got " + maxDistinctWords);
        }
        this.maxDistinctWords = maxDistinctWords;
        return self();
    }

    /** Where progress goes (default {@link ProgressSink#auto()}). */
    public B optProgressSink(ProgressSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        return self();
    }

    /** These options, frozen, with the pre-tokenizer words are split by. */
    TrainingInput input(PieceSplitter splitter) {
        return new TrainingInput(splitter, specials, threads, maxDistinctWords, sink);
    }

    /** Checks a vocabulary size against what it must hold ({@code fixed} ids besides the specials). */
    final void requireRoom(int vocabSize, int fixed, String fixedWhat) {
        if (vocabSize < 0) {
            throw new IllegalStateException("setVocabSize(...) is required");
        }
        int min = fixed + specials.size();
        if (vocabSize < min) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is smaller than " + fixedWhat + " + "
                    + specials.size() + " special tokens = " + min);
        }
    }
}
