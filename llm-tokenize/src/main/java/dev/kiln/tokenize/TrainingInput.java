package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import dev.kiln.core.progress.ProgressSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer's input side, shared by {@link BpeTrainer} and {@link UnigramTrainer}: texts and files
 * become word counts (in parallel, special-token strings cut out, skipped files logged), with
 * progress reported to the configured sink. Immutable.
 */
final class TrainingInput {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingInput.class);

    final PieceSplitter splitter;
    final SpecialTokens specials;
    final int threads;
    final int maxDistinctWords;
    private final ProgressSink sink;

    TrainingInput(
            PieceSplitter splitter, SpecialTokens specials, int threads, int maxDistinctWords, ProgressSink sink) {
        this.splitter = splitter;
        this.specials = specials;
        this.threads = threads;
        this.maxDistinctWords = maxDistinctWords;
        this.sink = sink;
    }

    /** Word counts of {@code texts}, each text one document. */
    WordCounts countTexts(Iterable<String> texts) {
        return count(Objects.requireNonNull(texts, "texts"), false);
    }

    /** Word counts of {@code files}, line by line; skipped files are logged (and kept in {@code files}). */
    WordCounts countFiles(TextFiles files) throws IOException {
        long start = System.nanoTime();
        WordCounts counts;
        try {
            counts = count(files, true);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (String s : files.skipped()) {
            LOG.warn("skipped {}", s);
        }
        LOG.debug(
                "counted {} distinct words of {} in {} ms",
                counts.size,
                files,
                (System.nanoTime() - start) / 1_000_000);
        return counts;
    }

    private WordCounts count(Iterable<String> texts, boolean lines) {
        WordCounting counting = new WordCounting(splitter, specials, threads, maxDistinctWords);
        try (Progress p = progress("count words", lines ? "chunks" : "texts", -1)) {
            return counting.count(texts, lines, p);
        }
    }

    /** The message for an empty training input, naming what was read. */
    static String nothingIn(TextFiles files) {
        return "nothing to train on in " + files + ": " + files.summary();
    }

    /** Fails with {@code "empty corpus: " + whyEmpty} when nothing was counted. */
    static void requireWords(WordCounts counts, String whyEmpty) {
        if (counts.size == 0) {
            throw new IllegalArgumentException("empty corpus: " + whyEmpty);
        }
    }

    /** A progress reporter for one phase. */
    Progress progress(String task, String unit, long total) {
        Progress.Builder b = Progress.builder().setTask(task).optUnit(unit).optTotal(total);
        if (sink != null) {
            b.optSink(sink);
        }
        return b.build();
    }
}
