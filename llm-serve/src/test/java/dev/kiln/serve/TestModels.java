package dev.kiln.serve;

import ai.djl.Device;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.serve.engine.PacedLanguageModel;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
     * A tiny randomly initialised decoder over {@link ByteTokenizer#withCodeSpecials()}'s vocabulary
     * (real forward passes and KV cache, nothing learned); the caller closes it.
     */
    static GptModel tinyGpt(int contextLength, int dModel, int heads, int kvHeads, int layers, long seed) {
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(ByteTokenizer.withCodeSpecials().vocabSize())
                .setContextLength(contextLength)
                .optDModel(dModel)
                .optHeads(heads)
                .optKvHeads(kvHeads)
                .optLayers(layers)
                .build();
        return GptModel.create(cfg, seed, Device.cpu());
    }

    /** {@link PacedLanguageModel}: each decoding step of {@code inner} lasts at least {@code stepNanos}. */
    public static LanguageModel paced(LanguageModel inner, long stepNanos) {
        return PacedLanguageModel.of(inner, Duration.ofNanos(stepNanos));
    }
}
