package dev.kiln.data.source;

import dev.kiln.core.Document;
import dev.kiln.data.license.PackageLicenses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The POM next to a Maven {@code -sources.jar}: its coordinates and licenses. */
record MavenSources(String coordinates, List<String> licenses) {

    static MavenSources of(Path jar) {
        String name = jar.getFileName().toString();
        String base = name.substring(0, name.length() - "-sources.jar".length());
        Path pom = jar.resolveSibling(base + ".pom");
        if (!Files.isRegularFile(pom)) {
            return new MavenSources(null, List.of());
        }
        try {
            String gav = PackageLicenses.pomCoordinates(pom).orElse(null);
            return new MavenSources(gav, PackageLicenses.fromPomFile(pom));
        } catch (IOException | RuntimeException e) {
            return new MavenSources(null, List.of());
        }
    }

    Map<String, Object> metadata() {
        return coordinates == null ? Map.of() : Map.of(Document.REPOSITORY.name(), coordinates);
    }
}
