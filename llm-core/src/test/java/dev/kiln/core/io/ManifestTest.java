package dev.kiln.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.Provenance;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsWithProvenanceAndProperties() throws Exception {
        Provenance p = Provenance.builder()
                .setKind("dataset")
                .optInputs(List.of("repos/"))
                .optConfig("workers", 2)
                .optSeed(42)
                .build();
        new Manifest("dataset", 1, Map.of("documents", 12L), p, Map.of("shards", List.of("part-00000.jsonl")))
                .write(dir);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("manifest.json");
        }
        Manifest m = Manifest.read(dir, "dataset");
        assertThat(m.counts()).containsEntry("documents", 12L);
        assertThat(m.provenance()).isEqualTo(p);
        assertThat(m.provenance().versions()).containsKeys("kiln", "java", "os");
        assertThat(m.properties()).containsEntry("shards", List.of("part-00000.jsonl"));
    }

    @Test
    void corruptOrForeignManifestsAreNamedErrors() throws Exception {
        assertThatThrownBy(() -> Manifest.read(dir, "dataset"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("manifest.json");
        Files.writeString(dir.resolve("manifest.json"), "{\"kind\": \"shards\", \"version\": 1}");
        assertThatThrownBy(() -> Manifest.read(dir, "dataset"))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("'shards'")
                .hasMessageContaining(dir.toString());
        Files.writeString(dir.resolve("manifest.json"), "{\"kind\": \"dataset\", ");
        assertThatThrownBy(() -> Manifest.read(dir, "dataset"))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void uncommittedAtomicWritesLeaveNothingBehind() throws Exception {
        Path target = dir.resolve("part-00000.jsonl");
        try (AtomicFiles.Output out = AtomicFiles.open(target)) {
            out.stream().write("half a shard".getBytes());
            assertThat(Files.exists(target)).isFalse();
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        AtomicFiles.writeString(target, "{}\n");
        assertThat(Files.readString(target)).isEqualTo("{}\n");
    }
}
