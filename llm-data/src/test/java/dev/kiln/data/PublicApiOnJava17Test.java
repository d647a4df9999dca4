package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs llm-data's public API in the JVM that surefire's {@code on-java-17} execution starts from
 * the machine's Java 17, proving the release-17 modules work there (Spark 4's floor).
 */
@Tag("java17")
class PublicApiOnJava17Test {

    @TempDir
    Path dir;

    @Test
    void runsOnTheExpectedJavaVersion() {
        int expected = Integer.getInteger("kiln.expect.java", Runtime.version().feature());
        assertThat(Runtime.version().feature()).isEqualTo(expected);
    }

    @Test
    void stagesDocumentsAndManifestsWork() throws Exception {
        DocumentFilter notEmpty =
                DocumentFilter.of("not-empty", d -> d.content().isBlank() ? Verdict.drop("empty") : Verdict.KEEP);
        DocumentTransform upper =
                DocumentTransform.of("upper", d -> d.withContent(d.content().toUpperCase()));
        List<Document> docs =
                List.of(Document.fromSource("t", "a.py", "print(1)"), Document.fromSource("t", "b.py", "  "));
        List<Document> kept = docs.stream()
                .filter(d -> notEmpty.test(d).keep())
                .map(upper::apply)
                .collect(Collectors.toList());
        assertThat(kept).extracting(Document::content).containsExactly("PRINT(1)");
        assertThat(notEmpty.test(docs.get(1)).reason()).isEqualTo("empty");

        new Manifest(
                        "dataset",
                        1,
                        Map.of("documents", 1L),
                        Provenance.builder().setKind("dataset").build(),
                        Map.of())
                .write(dir);
        assertThat(Manifest.read(dir, "dataset").provenance().versions().get("java"))
                .isEqualTo(System.getProperty("java.version"));
        assertThat(Json.read(dir.resolve("manifest.json")).get("kind").asText()).isEqualTo("dataset");
        assertThat(Files.exists(dir.resolve("manifest.json"))).isTrue();
    }
}
