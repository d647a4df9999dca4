package dev.kiln.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The settings a {@link Quickstart} was built with, copied out of its builder (so changing the
 * builder afterwards changes nothing), and the progress output they name.
 */
record Settings(
        Path workdir,
        double trainMinutes,
        List<Path> inputs,
        int vocabSize,
        int seqLen,
        int dModel,
        int layers,
        int batchSize,
        long maxSteps,
        int evalLimit,
        int maxTokens,
        int workers,
        int threads,
        long seed,
        Consumer<String> out) {

    /** A progress line to {@link #out}, when there is one. */
    void say(String format, Object... args) {
        if (out != null) {
            out.accept(String.format(Locale.ROOT, format, args));
        }
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
