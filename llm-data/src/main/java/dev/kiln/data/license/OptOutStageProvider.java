package dev.kiln.data.license;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
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
        StageOptions o = StageOptions.of(name(), options, "list", "repositories", "paths");
        if (o.has("list")) {
            String list = o.getString("list", null);
            try {
                b.optListFile(Path.of(list));
            } catch (IOException ex) {
                throw new UncheckedIOException(
                        "stage '" + name() + "': option 'list': cannot read '" + list + "': " + ex.getMessage(), ex);
            }
        }
        o.apply("repositories", () -> b.optRepositories(o.getStringList("repositories", List.of())));
        o.apply("paths", () -> b.optPaths(o.getStringList("paths", List.of())));
        return b.build();
    }
}
