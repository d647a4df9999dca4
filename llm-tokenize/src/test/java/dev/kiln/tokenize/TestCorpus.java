package dev.kiln.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Real source files of this repository (Kiln's own Java code) as a small training corpus. */
public final class TestCorpus {
    private static volatile BpeTokenizer small;

    private TestCorpus() {}

    /** The repository root (walks up from the working directory). */
    public static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        return p;
    }

    /** Java sources of llm-core and llm-data (main), sorted. */
    public static List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (String m : new String[] {"llm-core/src/main/java", "llm-data/src/main/java"}) {
            try (Stream<Path> s = Files.walk(repoRoot().resolve(m))) {
                out.addAll(
                        s.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public static List<String> texts() {
        List<String> out = new ArrayList<>();
        for (Path f : files()) {
            try {
                out.add(Files.readString(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** A tokenizer trained on {@link #texts()} with 1,000 ids and the code specials (cached). */
    public static BpeTokenizer smallTokenizer() {
        if (small == null) {
            small = BpeTrainer.builder()
                    .setVocabSize(1000)
                    .optThreads(2)
                    .build()
                    .trainTexts(texts());
        }
        return small;
    }
}
