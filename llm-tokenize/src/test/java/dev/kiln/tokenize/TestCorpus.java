package dev.kiln.tokenize;

import java.nio.file.Path;
import java.util.List;

/** Real source files of this repository (Kiln's own Java code) as a small training corpus. */
public final class TestCorpus {
    private static volatile BpeTokenizer small;

    private TestCorpus() {}

    /** The repository root (walks up from the working directory). */
    public static Path repoRoot() {
        return RepoSources.root();
    }

    /** Java sources of llm-core and llm-data (main), sorted. */
    public static List<Path> files() {
        return RepoSources.javaFiles("llm-core", "llm-data");
    }

    /** The contents of {@link #files()}. */
    public static List<String> texts() {
        return RepoSources.texts(files());
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
