package dev.kiln.data;

import static dev.kiln.data.CorpusTest.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.license.LicenseClassifier;
import dev.kiln.data.license.Licenses;
import dev.kiln.data.sink.Sinks;
import dev.kiln.data.source.ReadOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Real archives (the JDK's src.zip, a Maven sources jar, an npm tarball) and hostile ones. */
class SourcesTest {

    @TempDir
    Path tmp;

    static Corpus quiet(Corpus c) {
        return c.optProgress(ProgressSink.none()).optWorkers(2);
    }

    @Test
    void jdkSrcZipSubset() throws IOException {
        Path src = Fixtures.srcZip();
        assumeTrue(src != null, "this JDK has no src.zip");
        List<Document> docs;
        try (Stream<Document> s = quiet(Corpus.from(src))
                .filter(Licenses.permissive().toBuilder()
                        .optAllow(List.of("GPL-2.0 WITH Classpath-exception-2.0", "Apache-2.0", "MIT"))
                        .build())
                .limit(200)
                .stream()) {
            docs = s.toList();
        }
        assertThat(docs).hasSize(200);
        assertThat(docs)
                .allMatch(d ->
                        d.path().contains("/") && d.metadata().get("source").equals(src.toString()));
        assertThat(docs.stream().filter(d -> d.language().equals("java")).count())
                .isGreaterThan(150);
        assertThat(docs.stream()
                        .filter(d -> d.licenses().equals(List.of(LicenseClassifier.GPL2_CLASSPATH)))
                        .count())
                .isGreaterThan(150);
    }

    /** A Maven local repository with a sources jar whose POM takes its license from a parent POM. */
    @Test
    void mavenSourcesJarWithLicenseFromParentPom() throws IOException {
        Path repo = tmp.resolve("m2/repository");
        Path parentDir = repo.resolve("org/acme/acme-parent/3");
        Fixtures.write(
                parentDir.resolve("acme-parent-3.pom"),
                "<project><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>3</version>"
                        + "<licenses><license><name>The Apache Software License, Version 2.0</name>"
                        + "<url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses></project>");
        Path dir = repo.resolve("org/acme/widget/1.0");
        Fixtures.write(
                dir.resolve("widget-1.0.pom"),
                "<project><modelVersion>4.0.0</modelVersion>"
                        + "<parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>3</version></parent>"
                        + "<artifactId>widget</artifactId><version>1.0</version></project>");
        // real Java sources: a few files of the JDK's src.zip when present, else our own
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
        entries.put("org/acme/Widget.java", "package org.acme;\n\npublic class Widget {}\n");
        entries.put("org/acme/Gear.java", "package org.acme;\n\nclass Gear { int teeth = 12; }\n");
        Path jar = Fixtures.zip(dir.resolve("widget-1.0-sources.jar"), entries);

        List<Document> docs;
        try (Stream<Document> s = quiet(Corpus.from(jar)).filter(Licenses.permissive()).stream()) {
            docs = s.toList();
        }
        assertThat(docs)
                .extracting(Document::path)
                .containsExactly("META-INF/MANIFEST.MF", "org/acme/Widget.java", "org/acme/Gear.java");
        assertThat(docs).allMatch(d -> d.licenses().equals(List.of("Apache-2.0")));
        assertThat(docs.get(1).metadata().get("repository")).isEqualTo("org.acme:widget:1.0");

        // the same jar found inside a directory walk
        List<Document> viaDir;
        try (Stream<Document> s = quiet(Corpus.from(repo)).filter(Licenses.permissive()).stream()) {
            viaDir = s.toList();
        }
        assertThat(viaDir)
                .extracting(Document::path)
                .contains("org/acme/widget/1.0/widget-1.0-sources.jar!/org/acme/Widget.java");

        // without license metadata in the POMs, META-INF/LICENSE inside the jar is used
        Path dir2 = repo.resolve("org/acme/bare/2.0");
        Fixtures.write(
                dir2.resolve("bare-2.0.pom"),
                "<project><groupId>org.acme</groupId><artifactId>bare</artifactId><version>2.0</version></project>");
        Path jar2 = Fixtures.zip(
                dir2.resolve("bare-2.0-sources.jar"),
                Map.of("META-INF/LICENSE", Fixtures.MIT, "org/acme/Bare.java", "package org.acme; class Bare {}\n"));
        try (Stream<Document> s = quiet(Corpus.from(jar2)).stream()) {
            Document bare =
                    s.filter(d -> d.path().endsWith("Bare.java")).findFirst().orElseThrow();
            assertThat(bare.licenses()).containsExactly("MIT");
            assertThat(bare.metadata().get("repository")).isEqualTo("org.acme:bare:2.0");
        }
    }

    @Test
    void npmTarballWithLicenseFromPackageJson() throws IOException {
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("package/lib/index.js", "module.exports = (s, n) => s.padStart(n);\n");
        entries.put(
                "package/package.json", "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL OR MIT\"}");
        entries.put("package/README.md", "# left-pad\n");
        Path tgz = Fixtures.tgz(tmp.resolve("left-pad-1.3.0.tgz"), entries);
        Path out = tmp.resolve("out");
        PipelineReport r = quiet(Corpus.from(tgz)).filter(Licenses.permissive()).write(Sinks.jsonl(out));
        assertInvariant(r);
        List<JsonNode> rows = Fixtures.rows(out).stream().map(Json::parse).toList();
        assertThat(rows).hasSize(3);
        JsonNode index = rows.get(0);
        assertThat(index.get("path").asText()).isEqualTo("package/lib/index.js");
        assertThat(index.get("language").asText()).isEqualTo("javascript");
        assertThat(index.get("licenses").toString()).isEqualTo("[\"WTFPL OR MIT\"]");
        assertThat(index.get("metadata").get("repository").asText()).isEqualTo("left-pad@1.3.0");
    }

    @Test
    void tarFlavours() throws IOException {
        Map<String, Object> entries = Map.of("p/a.go", "package p\n", "p/LICENSE", Fixtures.MIT);
        Path tgz = Fixtures.tgz(tmp.resolve("x.tar.gz"), entries);
        byte[] tar;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(tgz))) {
            tar = in.readAllBytes();
        }
        Files.write(tmp.resolve("x.tar"), tar);
        try (OutputStream o = new BZip2CompressorOutputStream(Files.newOutputStream(tmp.resolve("x.tar.bz2")))) {
            o.write(tar);
        }
        try (OutputStream o = new XZOutputStream(Files.newOutputStream(tmp.resolve("x.tar.xz")), new LZMA2Options())) {
            o.write(tar);
        }
        for (String n : List.of("x.tar", "x.tar.gz", "x.tar.bz2", "x.tar.xz")) {
            try (Stream<Document> s = quiet(Corpus.from(tmp.resolve(n))).filter(Licenses.permissive()).stream()) {
                List<Document> docs = s.toList();
                assertThat(docs).as(n).hasSize(2);
                Document go = docs.stream()
                        .filter(d -> d.path().equals("p/a.go"))
                        .findFirst()
                        .orElseThrow();
                assertThat(go.licenses()).as(n).containsExactly("MIT");
                assertThat(go.language()).isEqualTo("go");
            }
        }
    }

    @Test
    void hostileArchivesAreCountedNotFatal() throws IOException {
        Path in = tmp.resolve("in");
        // truncated zip: the central directory is cut off
        Map<String, Object> ok = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            ok.put("src/F" + i + ".java", "class F" + i + " { int x = " + i + "; }\n".repeat(50));
        }
        byte[] full = Files.readAllBytes(Fixtures.zip(tmp.resolve("full.zip"), ok));
        Fixtures.write(in.resolve("truncated.zip"), java.util.Arrays.copyOf(full, full.length * 2 / 3));
        // not an archive at all
        Fixtures.write(in.resolve("garbage.zip"), "this is not a zip file\n".repeat(10));
        // a truncated tar.gz
        byte[] tgz = Files.readAllBytes(Fixtures.tgz(tmp.resolve("t.tgz"), ok));
        Fixtures.write(in.resolve("cut.tgz"), java.util.Arrays.copyOf(tgz, tgz.length / 2));
        // a zip bomb: 50 MB of zeros in one entry
        Path bomb = in.resolve("bomb.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
            z.putNextEntry(new ZipEntry("zeros.txt"));
            byte[] zeros = new byte[1 << 20];
            java.util.Arrays.fill(zeros, (byte) 'a');
            for (int i = 0; i < 50; i++) {
                z.write(zeros);
            }
            z.closeEntry();
            z.putNextEntry(new ZipEntry("fine.txt"));
            z.write("fine\n".getBytes());
            z.closeEntry();
        }
        // nesting: a zip inside a zip inside a zip -> the innermost is not opened
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(inner)) {
            z.putNextEntry(new ZipEntry("deep.txt"));
            z.write("deep\n".getBytes());
        }
        ByteArrayOutputStream middle = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(middle)) {
            z.putNextEntry(new ZipEntry("inner.zip"));
            z.write(inner.toByteArray());
            z.putNextEntry(new ZipEntry("mid.txt"));
            z.write("mid\n".getBytes());
        }
        Fixtures.zip(in.resolve("outer.zip"), Map.of("middle.zip", middle.toByteArray(), "top.txt", "top\n"));
        // invalid JSON lines and a gigantic record
        Path jsonl = in.resolve("rows.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(jsonl))) {
            o.write("{\"content\":\"ok\",\"path\":\"a.txt\"}\n{oops\n".getBytes());
            o.write(("{\"content\":\"" + "y".repeat(3000) + "\"}\n").getBytes());
            o.write("{\"content\":\"last\",\"path\":\"b.txt\"}".getBytes());
        }
        // a truncated .jsonl.gz
        byte[] gz = Files.readAllBytes(jsonl);
        Fixtures.write(in.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(gz, gz.length - 10));
        Fixtures.write(in.resolve("empty.txt"), "");

        Path out = tmp.resolve("out");
        PipelineReport r = quiet(Corpus.from(in))
                .optReadOptions(ReadOptions.builder().optMaxRecordBytes(1024).build())
                .write(Sinks.jsonl(out));
        assertInvariant(r);
        assertThat(r.errors()).containsKeys("read:corrupt-archive", "read:zip-bomb");
        assertThat(r.errors().get("read:zip-bomb")).isEqualTo(1);
        assertThat(r.errors().get("read:corrupt-archive")).isGreaterThanOrEqualTo(3);
        assertThat(r.dropped()).containsEntry("read:nested-archive", 1L).containsEntry("read:empty", 1L);
        // JSONL shards in a directory are read as records
        assertThat(r.errors()).containsEntry("read:invalid-json", 2L).containsEntry("read:record-too-large", 2L);
        assertThat(r.errors()).containsKey("read:corrupt-file");
        assertThat(r.examples().get("read:zip-bomb").path())
                .contains("bomb.zip")
                .contains("zeros.txt");
        List<String> paths = Fixtures.rows(out).stream()
                .map(l -> Json.parse(l).get("path").asText())
                .toList();
        assertThat(paths)
                .contains("bomb.zip!/fine.txt", "outer.zip!/top.txt", "outer.zip!/middle.zip!/mid.txt")
                .doesNotContain("outer.zip!/middle.zip!/inner.zip!/deep.txt");
        // entries before the truncation point of the zip are still read
        assertThat(paths).anyMatch(p -> p.startsWith("truncated.zip!/src/F0.java"));
        assertThat(paths).anyMatch(p -> p.startsWith("cut.tgz!/src/F0.java"));
    }

    @Test
    void jsonlRecordsOverTheCapAndTruncatedStreams() throws IOException {
        Path jsonl = tmp.resolve("rows.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(jsonl))) {
            o.write("{\"content\":\"ok\",\"path\":\"a.txt\"}\n{oops\n".getBytes());
            o.write(("{\"content\":\"" + "y".repeat(3000) + "\"}\n").getBytes());
            o.write("{\"content\":\"last\",\"path\":\"b.txt\"}".getBytes());
        }
        PipelineReport r = quiet(Corpus.from(jsonl))
                .optReadOptions(ReadOptions.builder().optMaxRecordBytes(1024).build())
                .report();
        assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(4);
        assertThat(r.keptDocuments()).isEqualTo(2);
        assertThat(r.errors()).containsEntry("read:invalid-json", 1L).containsEntry("read:record-too-large", 1L);
    }
}
