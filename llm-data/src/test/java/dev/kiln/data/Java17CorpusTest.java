package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.license.Licenses;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public Corpus API end to end on the JVM the build runs it on: surefire's {@code on-java-17}
 * execution runs this class on Java 17 with {@code -Dkiln.expect.java=17}.
 */
@Tag("java17")
class Java17CorpusTest {

    @TempDir
    Path tmp;

    @Test
    void directoryLicenseFilterJsonlSinkOnThisJvm() throws IOException {
        assertThat(Runtime.version().feature())
                .isEqualTo(
                        Integer.getInteger("kiln.expect.java", Runtime.version().feature()));
        Path repo = tmp.resolve("repo");
        Fixtures.write(repo.resolve("LICENSE"), Fixtures.MIT);
        Fixtures.write(repo.resolve("src/A.java"), "class A {}\n");
        Fixtures.write(repo.resolve("vendor/COPYING"), Fixtures.GPL3);
        Fixtures.write(repo.resolve("vendor/b.c"), "int b;\n");
        Fixtures.zip(tmp.resolve("repo/lib.zip"), java.util.Map.of("z.py", "z = 1\n"));
        Path out = tmp.resolve("out");

        PipelineReport r = Corpus.from(repo)
                .filter(Licenses.permissive())
                .optWorkers(2)
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out).optCompression("zst"));

        assertThat(r.inputDocuments()).isEqualTo(r.keptDocuments() + r.droppedTotal() + r.errorsTotal());
        assertThat(r.keptDocuments()).isEqualTo(3); // LICENSE, lib.zip!/z.py, src/A.java
        assertThat(r.dropped()).containsEntry("license:not-allowed", 2L);
        assertThat(Manifest.read(out, "dataset").counts()).containsEntry("documents", 3L);
        assertThat(Json.read(out.resolve("report.json")).get("kept").asLong()).isEqualTo(3);
        assertThat(out.resolve("part-00000.jsonl.zst")).isRegularFile();
        List<String> langs = List.copyOf(r.languages().keySet());
        assertThat(langs).contains("java", "python");
    }
}
