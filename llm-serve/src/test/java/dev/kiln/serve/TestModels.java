package dev.kiln.serve;

import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/** Real models for the tests: an n-gram model trained on Kiln's own Java sources. */
public final class TestModels {

    private static NgramLanguageModel model;

    private TestModels() {}

    static synchronized NgramLanguageModel ngram() {
        if (model == null) {
            model = NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), javaSources(), 6, 2048);
        }
        return model;
    }

    static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("llm-core/src/main/java"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root above " + System.getProperty("user.dir"));
        }
        return p;
    }

    static List<String> javaSources() {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> s = Files.walk(repoRoot().resolve("llm-core/src/main/java"))) {
            for (Path f : s.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                texts.add(Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }

    /**
     * Wraps a model so that each decoding step takes at least {@code stepNanos}, whatever the batch
     * size: the cost profile of a memory-bound accelerator forward pass. Used where a test needs a
     * generation to last long enough to act on it mid-way.
     */
    public static LanguageModel paced(LanguageModel inner, long stepNanos) {
        return new LanguageModel() {
            @Override
            public String id() {
                return inner.id();
            }

            @Override
            public Tokenizer tokenizer() {
                return inner.tokenizer();
            }

            @Override
            public int contextLength() {
                return inner.contextLength();
            }

            @Override
            public DecodeSession open(int[] promptIds, SamplingParams sampling) {
                return inner.open(promptIds, sampling);
            }

            @Override
            public int[] step(List<? extends DecodeSession> sessions) {
                long end = System.nanoTime() + stepNanos;
                int[] out = inner.step(sessions);
                long left;
                while ((left = end - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(left);
                }
                return out;
            }

            @Override
            public void close() {}
        };
    }
}
