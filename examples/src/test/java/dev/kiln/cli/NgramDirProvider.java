package dev.kiln.cli;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModelProvider;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A test provider (registered in the test class path only): a directory with an {@code
 * ngram.order} file and source files is opened as an n-gram model trained on those files.
 */
public final class NgramDirProvider implements LanguageModelProvider {

    @Override
    public String name() {
        return "ngram-dir (test)";
    }

    @Override
    public boolean canOpen(String location) {
        return Files.isRegularFile(Path.of(location).resolve("ngram.order"));
    }

    @Override
    public LanguageModel open(String location, Map<String, String> options) throws IOException {
        Path dir = Path.of(location);
        int order =
                Integer.parseInt(Files.readString(dir.resolve("ngram.order")).strip());
        List<String> texts = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                texts.add(Files.readString(f));
            }
        }
        return NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), texts, order, 1024);
    }
}
