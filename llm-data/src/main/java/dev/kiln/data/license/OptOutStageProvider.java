package dev.kiln.data.license;

import dev.kiln.data.Stage;
import dev.kiln.data.StageProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Registers the {@code optout} stage. Options: {@code list} (an opt-out list file, see {@link
 * OptOut}), {@code repositories} (list), {@code paths} (list of globs).
 */
public final class OptOutStageProvider implements StageProvider {

    @Override
    public String name() {
        return OptOut.NAME;
    }

    @Override
    public String description() {
        return "drop documents whose repository or path is on an opt-out list";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        OptOut.Builder b = OptOut.builder();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            switch (e.getKey()) {
                case "list":
                    try {
                        b.optListFile(Path.of(String.valueOf(e.getValue())));
                    } catch (IOException ex) {
                        throw new UncheckedIOException(
                                "stage optout: cannot read list '" + e.getValue() + "': " + ex.getMessage(), ex);
                    }
                    break;
                case "repositories":
                    b.optRepositories(StageOptions.stringList(name(), e.getKey(), e.getValue()));
                    break;
                case "paths":
                    b.optPaths(StageOptions.stringList(name(), e.getKey(), e.getValue()));
                    break;
                default:
                    throw StageOptions.unknownKey(name(), e.getKey(), List.of("list", "repositories", "paths"));
            }
        }
        return b.build();
    }
}
