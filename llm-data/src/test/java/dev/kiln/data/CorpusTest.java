package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.license.LicenseClassifier;
import dev.kiln.data.license.Licenses;
import dev.kiln.data.license.OptOut;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

    @TempDir
    Path tmp;

    static void assertInvariant(PipelineReport r) {
        assertThat(r.inputDocuments())
                .as("input = kept + dropped + errors for %s", r)
                .isEqualTo(r.keptDocuments() + r.droppedTotal() + r.errorsTotal());
        for (PipelineReport.StageReport s : r.stages()) {
            long d = s.dropped().values().stream().mapToLong(Long::longValue).sum();
            long e = s.errors().values().stream().mapToLong(Long::longValue).sum();
            assertThat(s.in()).as("stage %s", s.name()).isEqualTo(s.kept() + d + e);
        }
    }

    /** A small repository tree with a LICENSE, code, and some files every pipeline must drop. */
    Path repo() throws IOException {
        Path root = tmp.resolve("repos");
        Path a = root.resolve("acme/widget");
        Files.createDirectories(a.resolve(".git"));
        Fixtures.write(a.resolve(".git/config"), "[core]\n");
        Fixtures.write(a.resolve("LICENSE"), Fixtures.MIT);
        Fixtures.write(a.resolve("src/Main.java"), "class Main {\n    public static void main(String[] a) {}\n}\n");
        Fixtures.write(a.resolve("src/util.py"), "def f(x):\n    return x + 1\n");
        Fixtures.write(a.resolve("README.md"), "# widget\n");
        Fixtures.write(a.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        Fixtures.write(a.resolve("data.txt"), new byte[] {'a', 'b', 0, 'c'});
        Fixtures.write(a.resolve("latin1.c"), new byte[] {'i', 'n', 't', ' ', (byte) 0xE9, ';', '\n'});
        Fixtures.write(a.resolve("empty.js"), "");
        // gigantic one-line file: over the 1 MB limit
        Fixtures.write(a.resolve("huge.min.js"), "x".repeat((1 << 20) + 10));
        Path g = root.resolve("gnu/tool");
        Fixtures.write(g.resolve("COPYING"), Fixtures.GPL3);
        Fixtures.write(g.resolve("tool.c"), "int main(void) { return 0; }\n");
        // a file with its own SPDX header inside the GPL repo
        Fixtures.write(g.resolve("lib/mit.c"), "// SPDX-License-Identifier: MIT\nint f(void) { return 1; }\n");
        // a symlink loop and a dangling link
        Files.createSymbolicLink(a.resolve("src/loop"), a);
        Files.createSymbolicLink(a.resolve("dangling.txt"), a.resolve("no-such-file"));
        return root;
    }

    @Test
    void directoryToJsonlWithLicenseFilter() throws IOException {
        Path out = tmp.resolve("out");
        Path root = repo();
        PipelineReport r = Corpus.from(root)
                .filter(Licenses.permissive())
                .optWorkers(2)
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out).optWriteDropped(true));

        assertInvariant(r);
        List<JsonNode> rows = Fixtures.rows(out).stream().map(Json::parse).toList();
        Map<String, JsonNode> byPath = new LinkedHashMap<>();
        rows.forEach(n -> byPath.put(n.get("path").asText(), n));
        assertThat(byPath.keySet())
                .containsExactly(
                        "acme/widget/LICENSE",
                        "acme/widget/README.md",
                        "acme/widget/src/Main.java",
                        "acme/widget/src/util.py",
                        "gnu/tool/lib/mit.c");
        JsonNode main = byPath.get("acme/widget/src/Main.java");
        assertThat(main.get("language").asText()).isEqualTo("java");
        assertThat(main.get("licenses").toString()).isEqualTo("[\"MIT\"]");
        assertThat(main.get("metadata").get("repository").asText()).isEqualTo("acme/widget");
        assertThat(main.get("id").asText()).isEqualTo(Document.stableId(root.toString(), "acme/widget/src/Main.java"));
        assertThat(byPath.get("gnu/tool/lib/mit.c").get("licenses").toString()).isEqualTo("[\"MIT\"]");

        assertThat(r.dropped())
                .containsEntry("read:binary", 2L)
                .containsEntry("read:invalid-utf8", 1L)
                .containsEntry("read:empty", 1L)
                .containsEntry("read:too-large", 1L)
                .containsEntry("license:not-allowed", 2L); // tool.c and COPYING (GPL-3.0)
        assertThat(r.errors()).containsEntry("read:symlink-loop", 1L).containsEntry("read:unreadable", 1L);
        assertThat(r.examples().get("read:symlink-loop").path()).contains("acme/widget/src/loop");
        assertThat(r.languages().get("java").documents()).isEqualTo(1);

        // report.json keys, dropped rows, manifest, card, html
        JsonNode rep = Json.read(out.resolve("report.json"));
        assertThat(rep.get("input").asLong()).isEqualTo(r.inputDocuments());
        assertThat(rep.get("kept").asLong()).isEqualTo(5);
        assertThat(rep.get("dropped").get("license:not-allowed").asLong()).isEqualTo(2);
        assertThat(rep.has("errors") && rep.has("stages") && rep.has("languages"))
                .isTrue();
        List<String> dropped = Fixtures.rows(out.resolve("dropped"));
        assertThat(dropped).hasSize(2).allMatch(l -> l.contains("\"drop_reason\":\"license:not-allowed\""));
        Manifest m = Manifest.read(out, "dataset");
        assertThat(m.counts()).containsEntry("documents", 5L);
        assertThat(m.provenance().inputs()).containsExactly(root.toString());
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html)
                .contains("<svg")
                .contains("license:not-allowed")
                .doesNotContain("<script src")
                .doesNotContain("http://cdn");
        String card = Files.readString(out.resolve("README.md"));
        assertThat(card)
                .contains("license: mit\n")
                .contains("| MIT | 5 |")
                .contains("## Languages")
                .contains("part-NNNNN.jsonl");
    }

    @Test
    void missingInputIsAClearErrorBeforeAnyWork() {
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> Corpus.from(tmp, tmp.resolve("nope")).write(Sinks.jsonl(out)))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nope");
        assertThat(out).doesNotExist();
    }

    @Test
    void deterministicForAnyWorkerCountAndShardsBySize() throws IOException {
        Path src = Fixtures.srcZip();
        assumeTrue(src != null, "this JDK has no src.zip");
        Map<Integer, Map<String, byte[]>> outputs = new HashMap<>();
        for (int workers : new int[] {1, 3}) {
            Path out = tmp.resolve("w" + workers).resolve("out");
            PipelineReport r = Corpus.from(src)
                    .map(Licenses.detect())
                    .filter(DocumentFilter.of(
                            "no-tests", d -> d.path().contains("/test/") ? Verdict.drop("test") : Verdict.KEEP))
                    .limit(800)
                    .optWorkers(workers)
                    .optProgress(ProgressSink.none())
                    .write(Sinks.jsonl(out).optCompression("gz").optShardBytes(2 << 20));
            assertInvariant(r);
            assertThat(r.keptDocuments()).isEqualTo(800);
            Map<String, byte[]> files = new java.util.TreeMap<>();
            try (Stream<Path> s = Files.list(out)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (n.startsWith("part-")
                            || n.equals("report.json")
                            || n.equals("report.html")
                            || n.equals("README.md")) {
                        files.put(n, Files.readAllBytes(p));
                    }
                }
            }
            outputs.put(workers, files);
        }
        assertThat(outputs.get(1).keySet()).contains("part-00000.jsonl.gz", "part-00001.jsonl.gz");
        assertThat(outputs.get(3).keySet()).isEqualTo(outputs.get(1).keySet());
        for (String f : outputs.get(1).keySet()) {
            assertThat(java.util.Arrays.equals(
                            outputs.get(3).get(f), outputs.get(1).get(f)))
                    .as("%s is byte-identical with 1 and 3 workers", f)
                    .isTrue();
        }
        // the JDK's own notice was detected on its sources
        String first = new String(
                new java.util.zip.GZIPInputStream(
                                new java.io.ByteArrayInputStream(outputs.get(1).get("part-00000.jsonl.gz")))
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(first).contains(LicenseClassifier.GPL2_CLASSPATH);
    }

    @Test
    void jsonlWithTheStackColumnsAndBadLines() throws IOException {
        Path in = tmp.resolve("stack.jsonl");
        Fixtures.write(
                in,
                String.join(
                                "\n",
                                "{\"hexsha\":\"abc\",\"content\":\"print(1)\\n\",\"max_stars_repo_path\":\"a/b.py\",\"lang\":\"Python\","
                                        + "\"max_stars_repo_licenses\":[\"MIT\"],\"max_stars_count\":12,\"max_stars_repo_name\":\"o/r\",\"size\":9}",
                                "{not json",
                                "",
                                "[1,2]",
                                "{\"content\":\"int x;\",\"path\":\"x.c\",\"licenses\":[\"GPL-2.0\"]}",
                                "{\"path\":\"no-content.c\"}")
                        + "\n");
        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(in).optProgress(ProgressSink.none()).write(Sinks.jsonl(out));
        assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(5);
        assertThat(r.errors()).containsEntry("read:invalid-json", 2L).containsEntry("read:no-content", 1L);
        JsonNode row = Json.parse(Fixtures.rows(out).get(0));
        assertThat(row.get("id").asText())
                .isEqualTo(Document.stableId(in.toRealPath().toString(), "stack.jsonl:1"));
        assertThat(row.get("metadata").get("hexsha").asText()).isEqualTo("abc");
        assertThat(row.get("path").asText()).isEqualTo("a/b.py");
        assertThat(row.get("language").asText()).isEqualTo("python");
        assertThat(row.get("licenses").toString()).isEqualTo("[\"MIT\"]");
        assertThat(row.get("metadata").get("stars").asLong()).isEqualTo(12);
        assertThat(row.get("metadata").get("repository").asText()).isEqualTo("o/r");
        assertThat(row.get("metadata").get("size").asLong()).isEqualTo(9);

        // Kiln's own output reads back unchanged (zst and gz too), and license filtering uses the column
        Path out2 = tmp.resolve("out2");
        Corpus.from(out.resolve("part-00000.jsonl"))
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out2).optCompression("zst"));
        Path out3 = tmp.resolve("out3");
        PipelineReport r3 = Corpus.from(out2.resolve("part-00000.jsonl.zst"))
                .filter(Licenses.permissive())
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out3).optCompression("gz"));
        assertThat(r3.dropped()).containsEntry("license:not-allowed", 1L);
        JsonNode back = Json.parse(gunzipFirstRow(out3));
        assertThat(back.get("id").asText()).isEqualTo(row.get("id").asText());
        assertThat(back.get("metadata").get("size").asLong()).isEqualTo(9);
    }

    private static String gunzipFirstRow(Path dir) throws IOException {
        byte[] b = Files.readAllBytes(dir.resolve("part-00000.jsonl.gz"));
        String s = new String(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b)).readAllBytes(),
                StandardCharsets.UTF_8);
        return s.substring(0, s.indexOf('\n'));
    }

    @Test
    void mapLimitSampleStreamAndOptOut() throws IOException {
        Path dir = tmp.resolve("many");
        for (int i = 0; i < 300; i++) {
            Fixtures.write(dir.resolve(String.format("f%03d.py", i)), "x = " + i + "\n");
        }
        Corpus base = Corpus.from(dir).optProgress(ProgressSink.none()).optWorkers(2);
        List<Document> upper;
        try (Stream<Document> s =
                base
                        .map(DocumentTransform.of(
                                "upper", d -> d.withContent(d.content().toUpperCase())))
                        .limit(10)
                        .stream()) {
            upper = s.toList();
        }
        assertThat(upper).hasSize(10);
        assertThat(upper.get(0).content()).isEqualTo("X = 0\n");
        assertThat(upper.get(9).path()).isEqualTo("f009.py");

        // closing a stream early stops the engine's threads
        try (Stream<Document> s = base.stream()) {
            assertThat(s.findFirst()).isPresent();
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (liveRunnerThreads() > 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(liveRunnerThreads()).isZero();

        PipelineReport half = base.sample(0.5, 7).report();
        PipelineReport again = base.optWorkers(1).sample(0.5, 7).report();
        assertInvariant(half);
        assertThat(half.keptDocuments()).isBetween(110L, 190L).isEqualTo(again.keptDocuments());
        assertThat(half.dropped()).containsEntry("sample:not-sampled", 300 - half.keptDocuments());

        PipelineReport opt = base.filter(
                        OptOut.builder().optPaths(List.of("f1*.py")).build())
                .report();
        assertThat(opt.dropped()).containsEntry("optout:opted-out", 100L);

        // a limit after a filter counts only what reaches it, and stops the run
        PipelineReport lim = base.filter(
                        OptOut.builder().optPaths(List.of("f0*.py")).build())
                .limit(5)
                .report();
        assertInvariant(lim);
        assertThat(lim.keptDocuments()).isEqualTo(5);
        assertThat(lim.inputDocuments()).isEqualTo(105);
    }

    static long liveRunnerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("kiln-data-") && t.isAlive())
                .count();
    }

    /** Drops documents whose content equals an earlier one's: an in-memory DedupStage for the wiring. */
    static final class ExactDedup implements DedupStage {
        @Override
        public String name() {
            return "exact-dedup";
        }

        @Override
        public DuplicateSet find(Iterable<Document> documents, Path workDir) {
            assertThat(workDir).isDirectory();
            Map<String, String> first = new HashMap<>();
            List<DuplicateSet.Duplicate> dups = new ArrayList<>();
            for (Document d : documents) {
                String prev = first.putIfAbsent(d.content(), d.id());
                if (prev != null) {
                    dups.add(new DuplicateSet.Duplicate(d.id(), prev, 1.0, name()));
                }
            }
            Map<String, DuplicateSet.Duplicate> byId =
                    dups.stream().collect(Collectors.toMap(DuplicateSet.Duplicate::id, x -> x));
            return new DuplicateSet() {
                @Override
                public boolean isDuplicate(String id) {
                    return byId.containsKey(id);
                }

                @Override
                public List<Duplicate> duplicates() {
                    return dups;
                }

                @Override
                public Map<Integer, Long> clusterSizes() {
                    return Map.of();
                }
            };
        }
    }

    @Test
    void dedupeRunsOverSurvivorsAndWritesDuplicates() throws IOException {
        Path dir = tmp.resolve("dups");
        for (int i = 0; i < 50; i++) {
            Fixtures.write(dir.resolve(String.format("a%02d.js", i)), "let v = " + (i % 10) + ";\n");
        }
        Fixtures.write(dir.resolve("skip.js"), "let v = 0;\n");
        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(dir)
                .filter(OptOut.builder().optPaths(List.of("skip.js")).build())
                .dedupe(new ExactDedup())
                .map(DocumentTransform.of("tag", d -> d.withMetadata("tagged", true)))
                .optWorkers(2)
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out));
        assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(51);
        assertThat(r.keptDocuments()).isEqualTo(10);
        assertThat(r.dropped()).containsEntry("exact-dedup:duplicate", 40L).containsEntry("optout:opted-out", 1L);
        List<String> dups = Files.readAllLines(out.resolve("duplicates.jsonl"));
        assertThat(dups).hasSize(40);
        JsonNode d0 = Json.parse(dups.get(0));
        assertThat(d0.get("stage").asText()).isEqualTo("exact-dedup");
        assertThat(d0.get("similarity").asDouble()).isEqualTo(1.0);
        assertThat(d0.has("duplicate_of")).isTrue();
        List<JsonNode> rows = Fixtures.rows(out).stream().map(Json::parse).toList();
        assertThat(rows)
                .hasSize(10)
                .allMatch(n -> n.get("metadata").get("tagged").asBoolean());
        assertThat(rows.get(0).get("path").asText()).isEqualTo("a00.js");
        assertThat(out.resolve(".kiln-work")).doesNotExist();
    }

    @Test
    void rerunReplacesPartialOutput() throws IOException {
        Path dir = tmp.resolve("src");
        Fixtures.write(dir.resolve("a.py"), "a = 1\n");
        Path out = tmp.resolve("out");
        Fixtures.write(out.resolve("part-00007.jsonl"), "{\"stale\":true}\n");
        Fixtures.write(out.resolve(".tmp-part-00008.jsonl-123"), "partial");
        Fixtures.write(out.resolve("manifest.json"), "{}");
        Fixtures.write(out.resolve("keep-me.txt"), "user file");
        Corpus.from(dir).optProgress(ProgressSink.none()).write(Sinks.jsonl(out));
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(
                            "README.md",
                            "keep-me.txt",
                            "manifest.json",
                            "part-00000.jsonl",
                            "report.html",
                            "report.json");
        }
    }

    @Test
    void outputInsideAnInputIsRefused() throws IOException {
        Path dir = tmp.resolve("src");
        Fixtures.write(dir.resolve("a.py"), "a = 1\n");
        assertThatThrownBy(() -> Corpus.from(dir).write(Sinks.jsonl(dir.resolve("out"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inside the input");
    }

    /** A source that fails half way, as a crash would: no manifest, no temporary or partial shard left. */
    @Test
    void aFailedRunLeavesNoShardThatLooksComplete() throws IOException {
        Path out = tmp.resolve("out");
        dev.kiln.data.source.Source failing = new dev.kiln.data.source.Source() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public void read(
                    dev.kiln.data.source.ReadOptions o,
                    java.util.function.Consumer<dev.kiln.data.source.SourceItem> sink)
                    throws IOException {
                for (int i = 0; i < 5000; i++) {
                    sink.accept(dev.kiln.data.source.SourceItem.file(
                            "failing",
                            "f" + i + ".py",
                            ("x = " + i + "\n").repeat(20).getBytes(StandardCharsets.UTF_8),
                            List.of(),
                            Map.of()));
                }
                throw new IOException("disk on fire");
            }
        };
        assertThatThrownBy(() -> Corpus.of(failing)
                        .optProgress(ProgressSink.none())
                        .write(Sinks.jsonl(out).optCompression("gz").optShardBytes(100_000)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("disk on fire");
        assertThat(out.resolve("manifest.json")).doesNotExist();
        try (Stream<Path> s = Files.list(out)) {
            List<Path> files = s.toList();
            assertThat(files).noneMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
            // every shard that has its final name is complete: it decompresses to whole rows
            for (Path p : files) {
                byte[] b = new java.util.zip.GZIPInputStream(Files.newInputStream(p)).readAllBytes();
                assertThat(b[b.length - 1]).isEqualTo((byte) '\n');
            }
        }
    }

    @Test
    void aStageThatThrowsIsCountedAsAnError() throws IOException {
        Path dir = tmp.resolve("src");
        Fixtures.write(dir.resolve("a.py"), "a = 1\n");
        Fixtures.write(dir.resolve("b.py"), "boom\n");
        PipelineReport r = Corpus.from(dir)
                .filter(DocumentFilter.of("fragile", d -> {
                    if (d.content().startsWith("boom")) {
                        throw new IllegalStateException("cannot parse");
                    }
                    return Verdict.KEEP;
                }))
                .optProgress(ProgressSink.none())
                .report();
        assertInvariant(r);
        assertThat(r.errors()).containsEntry("fragile:exception", 1L);
        assertThat(r.examples().get("fragile:exception").detail()).contains("cannot parse");
    }

    @Test
    void aDatasetDirectoryIsReadBackAsExactlyItsDocuments() throws IOException {
        Path out = tmp.resolve("dataset");
        Path repo = repo();
        PipelineReport first = Corpus.from(repo).filter(Licenses.permissive()).write(Sinks.jsonl(out));
        assertThat(out.resolve("README.md")).exists();
        assertThat(out.resolve("report.html")).exists();
        List<Document> before;
        try (Stream<Document> s = Corpus.from(repo).filter(Licenses.permissive()).stream()) {
            before = s.collect(Collectors.toList());
        }
        List<Document> after;
        try (Stream<Document> s = Corpus.from(out).stream()) {
            after = s.collect(Collectors.toList());
        }
        // only the part-* shards: not the dataset card, the reports or the manifest
        assertThat(after)
                .extracting(Document::id)
                .containsExactlyElementsOf(before.stream().map(Document::id).toList());
        assertThat(after)
                .extracting(Document::content)
                .containsExactlyElementsOf(
                        before.stream().map(Document::content).toList());
        assertThat(after).hasSize((int) first.keptDocuments());
    }
}
