package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.sink.Sinks;
import dev.kiln.data.source.ParquetSource;
import dev.kiln.data.source.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files with The Stack's columns, and files that are not Parquet at all. */
class ParquetSourceTest {

    @TempDir
    Path tmp;

    static final MessageType STACK = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("hexsha")
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("content")
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("max_stars_repo_path")
            .optional(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("max_stars_repo_name")
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("lang")
            .optionalList()
            .optionalElement(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("max_stars_repo_licenses")
            .optional(PrimitiveTypeName.INT64)
            .named("max_stars_count")
            .required(PrimitiveTypeName.DOUBLE)
            .named("avg_line_length")
            .named("the_stack");

    /** Writes {@code n} rows of The Stack's shape with parquet's Group API. */
    static Path stackFile(Path file, int n) throws IOException {
        SimpleGroupFactory f = new SimpleGroupFactory(STACK);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(STACK)
                .build()) {
            for (int i = 0; i < n; i++) {
                boolean java = i % 2 == 0;
                Group g = f.newGroup()
                        .append("hexsha", "sha" + i)
                        .append("content", java ? "class A" + i + " {}\n" : "print(" + i + ")\n")
                        .append("max_stars_repo_path", java ? "src/A" + i + ".java" : "tools/t" + i + ".py")
                        .append("lang", java ? "Java" : "Python");
                if (i != 1) {
                    g.append("max_stars_repo_name", "acme/repo" + i).append("max_stars_count", (long) i * 10);
                }
                Group lic = g.addGroup("max_stars_repo_licenses");
                lic.addGroup("list").append("element", "MIT");
                if (java) {
                    lic.addGroup("list").append("element", "Apache-2.0");
                }
                g.append("avg_line_length", 12.5 + i);
                w.write(g);
            }
        }
        return file;
    }

    static List<Document> read(Path p) throws IOException {
        try (var s = Corpus.of(Sources.detect(p)).optWorkers(2).optProgress(ProgressSink.none()).stream()) {
            return s.toList();
        }
    }

    @Test
    void theStackColumnsAreMappedAndOnlyNamedOthersAreMetadata() throws IOException {
        Path file = stackFile(tmp.resolve("the-stack-00000.parquet"), 4);
        assertThat(Sources.detect(file)).isInstanceOf(ParquetSource.class);
        List<Document> docs = read(file);
        assertThat(docs).hasSize(4);
        Document a = docs.get(0);
        assertThat(a.id())
                .as("hexsha is a content hash, not an id")
                .isNotEqualTo("sha0")
                .hasSize(32);
        assertThat(a.content()).isEqualTo("class A0 {}\n");
        assertThat(a.path()).isEqualTo("src/A0.java");
        assertThat(a.language()).isEqualTo("java");
        assertThat(a.licenses()).containsExactly("MIT", "Apache-2.0");
        assertThat(a.metadata())
                .containsEntry(Document.REPOSITORY.name(), "acme/repo0")
                .containsEntry(Document.STARS.name(), 0L)
                .containsEntry(Document.SOURCE.name(), file.toString())
                .containsEntry("hexsha", "sha0")
                .doesNotContainKeys(
                        "content", "max_stars_repo_path", "lang", "max_stars_repo_licenses", "avg_line_length");
        Document b = docs.get(1);
        assertThat(b.language()).isEqualTo("python");
        assertThat(b.licenses()).containsExactly("MIT");
        assertThat(b.metadata()).doesNotContainKeys(Document.STARS.name(), Document.REPOSITORY.name());
        assertThat(docs.get(3).metadata()).containsEntry(Document.STARS.name(), 30L);
        // a column Kiln does not map is read only when named
        try (var s = Corpus.of(ParquetSource.of(file).optMetadataColumns("avg_line_length"))
                .optProgress(ProgressSink.none())
                .stream()) {
            assertThat(s.toList().get(0).metadata()).containsEntry("avg_line_length", 12.5);
        }
    }

    @Test
    void onlyTheSelectedColumnsAreReadAndEachRowDecodesAsItsJsonlLine() throws IOException {
        // a struct column Kiln cannot map: never read unless it is asked for
        MessageType schema = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("id")
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("content")
                .optional(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("language")
                .requiredList()
                .requiredElement(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("licenses")
                .optionalGroup()
                .required(PrimitiveTypeName.INT32)
                .named("x")
                .required(PrimitiveTypeName.INT32)
                .named("y")
                .named("point")
                .named("kiln");
        Path file = tmp.resolve("rows.parquet");
        SimpleGroupFactory f = new SimpleGroupFactory(schema);
        StringBuilder jsonl = new StringBuilder();
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(schema)
                .withRowGroupSize(1024L) // several row groups
                .build()) {
            for (int i = 0; i < 300; i++) {
                Group g = f.newGroup().append("id", "r" + i).append("content", "def f" + i + "():\n    return " + i);
                if (i % 3 != 0) {
                    g.append("language", "python");
                }
                Group lic = g.addGroup("licenses");
                for (int k = 0; k < i % 3; k++) {
                    lic.addGroup("list").append("element", k == 0 ? "MIT" : "BSD-3-Clause");
                }
                g.addGroup("point").append("x", i).append("y", -i);
                w.write(g);
                jsonl.append(dev.kiln.core.io.Json.mapper()
                                .writeValueAsString(java.util.Map.of(
                                        "id", "r" + i,
                                        "content", "def f" + i + "():\n    return " + i,
                                        "licenses",
                                                List.of("MIT", "BSD-3-Clause").subList(0, i % 3))))
                        .append('\n');
            }
        }
        String fixed = jsonl.toString();
        List<Document> fromParquet = read(file);
        assertThat(fromParquet).hasSize(300);
        assertThat(fromParquet.get(2).licenses()).containsExactly("MIT", "BSD-3-Clause");
        assertThat(fromParquet.get(0).licenses()).isEmpty();
        assertThat(fromParquet).allSatisfy(d -> assertThat(d.metadata()).doesNotContainKey("point"));
        // the same rows as JSONL give the same documents (language: python on 2 of 3 rows)
        Path jl = tmp.resolve("rows.jsonl");
        Files.writeString(jl, fixed);
        List<Document> fromJsonl = read(jl);
        for (int i = 0; i < 300; i++) {
            Document p = fromParquet.get(i);
            Document j = fromJsonl.get(i);
            assertThat(p.id()).isEqualTo(j.id());
            assertThat(p.content()).isEqualTo(j.content());
            assertThat(p.licenses()).isEqualTo(j.licenses());
            assertThat(p.language()).isEqualTo(i % 3 != 0 ? "python" : j.language());
        }
        // asked for, the struct is a clear error naming the column
        PipelineReport r = Corpus.of(ParquetSource.of(file).optMetadataColumns("point"))
                .optProgress(ProgressSink.none())
                .write(Sinks.of(tmp.resolve("out"), "jsonl"));
        assertThat(r.errors()).containsEntry("read:unsupported-column", 1L);
        assertThat(r.examples().get("read:unsupported-column").detail())
                .contains("'point'")
                .contains("struct");
    }

    @Test
    void corruptAndTruncatedFilesAreCountedErrorsNotCrashes() throws IOException {
        Path good = stackFile(tmp.resolve("good.parquet"), 3);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Fixtures.write(tmp.resolve("truncated.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
        Path garbage = Fixtures.write(tmp.resolve("garbage.parquet"), "PAR1 this is not parquet at all PAR1");
        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(good, truncated, garbage)
                .optProgress(ProgressSink.none())
                .write(Sinks.parquet(out));
        assertThat(r.keptDocuments()).isEqualTo(3);
        assertThat(r.errors()).containsEntry("read:corrupt-file", 2L);
        assertThat(r.examples().get("read:corrupt-file").detail()).contains("Parquet");
        assertThat(r.inputDocuments()).isEqualTo(r.keptDocuments() + r.droppedTotal() + r.errorsTotal());
    }
}
