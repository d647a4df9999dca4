package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ids that do not depend on how a path is typed, and rows sharing content or ids that never crash a run. */
class StableIdsTest {

    @TempDir
    Path tmp;

    static List<String> ids(Path input) throws IOException {
        try (Stream<Document> s = Corpus.from(input).optProgress(ProgressSink.none()).stream()) {
            return s.map(Document::id).toList();
        }
    }

    @Test
    void theSameDirectoryUnderThreeSpellingsAndALinkGivesTheSameIds() throws IOException {
        // relative to the working directory (the module), so that "relative" really is relative
        Path rel = Path.of("target", "stable-ids-" + UUID.randomUUID());
        try {
            Files.createDirectories(rel.resolve("pkg"));
            Files.writeString(rel.resolve("pkg/A.java"), "class A {}\n");
            Files.writeString(rel.resolve("b.py"), "print('b')\n");
            Path link = tmp.resolve("linked");
            Files.createSymbolicLink(link, rel.toAbsolutePath());
            List<String> plain = ids(rel);
            assertThat(plain).hasSize(2).doesNotHaveDuplicates();
            assertThat(ids(Path.of("./" + rel + "/"))).isEqualTo(plain);
            assertThat(ids(rel.toAbsolutePath())).isEqualTo(plain);
            assertThat(ids(link)).as("a symbolic link to the directory").isEqualTo(plain);
        } finally {
            try (Stream<Path> s = Files.walk(rel)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The Stack's rows: hexsha is the git blob hash of the content, so identical files share it. */
    @Test
    void stackRowsWithRepeatedHexshaAreDuplicatesNotErrors() throws IOException {
        Path in = tmp.resolve("the-stack.jsonl");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int content = i % 10; // 10 distinct files, each 3 times in different repositories
            rows.add("{\"hexsha\":\"" + "%040x".formatted(content) + "\",\"content\":\"def f" + content
                    + "():\\n    return " + content + "\\n\",\"max_stars_repo_path\":\"src/f" + content
                    + ".py\",\"max_stars_repo_name\":\"org" + i + "/repo\",\"lang\":\"Python\"}");
        }
        Files.write(in, rows);
        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(in)
                .dedupe(ExactDedup.builder().build())
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out));
        CorpusTest.assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(30);
        assertThat(r.keptDocuments()).isEqualTo(10);
        assertThat(r.dropped()).containsEntry("exact-dedup:duplicate", 20L);
        assertThat(r.errorsTotal()).isZero();
        assertThat(Fixtures.rows(out)).allSatisfy(row -> assertThat(row).contains("\"hexsha\":"));
    }

    /**
     * The Stack's rows with real git blob ids, each hexsha repeated, beside a checkout holding one of
     * the same files: exact-dedup keys rows by hexsha and files by their computed blob id, so the
     * checkout's copy is a duplicate too, and input = kept + dropped + errors.
     */
    @Test
    void exactDedupUsesHexshaAcrossStackRowsAndFiles() throws IOException {
        // git hash-object of each content
        Map<String, String> blobs = Map.of(
                "hello\n", "ce013625030ba8dba906f756967f9e9ca394464a",
                "def f():\n    return 1\n", "b8595995dba30b1cf7ee90f336b3e3356ee99e1b");
        Path in = tmp.resolve("stack.jsonl");
        List<String> rows = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> e : blobs.entrySet()) {
            for (int copy = 0; copy < 4; copy++, i++) {
                rows.add(Json.mapper()
                        .writeValueAsString(Map.of(
                                "hexsha",
                                e.getValue(),
                                "content",
                                e.getKey(),
                                "max_stars_repo_path",
                                "src/f" + i + ".py",
                                "max_stars_repo_name",
                                "org" + i + "/repo",
                                "lang",
                                "Python")));
            }
        }
        rows.add("{\"hexsha\":\"bad\",\"content\":\"print(2)\\n\",\"max_stars_repo_path\":\"g.py\"}");
        Files.write(in, rows);
        Path checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.writeString(checkout.resolve("f.py"), "def f():\n    return 1\n");
        Files.writeString(checkout.resolve("g.py"), "print(2)\n");
        Files.writeString(checkout.resolve("h.py"), "print(3)\n");
        PipelineReport r = Corpus.from(in, checkout)
                .dedupe(ExactDedup.builder().build())
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(tmp.resolve("out")));
        CorpusTest.assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(12);
        assertThat(r.dropped()).containsEntry("exact-dedup:duplicate", 8L);
        assertThat(r.keptDocuments()).isEqualTo(4);
        assertThat(r.errorsTotal()).isZero();
    }

    /** Rows whose explicit ids repeat (a dataset read twice): the repeats are dropped and counted. */
    @Test
    void repeatedExplicitIdsAreDroppedAndCounted() throws IOException {
        Path in = tmp.resolve("twice.jsonl");
        List<String> rows = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < 5; i++) {
                rows.add("{\"id\":\"doc-" + i + "\",\"content\":\"x = " + i + "\\n\",\"path\":\"x" + i + ".py\"}");
            }
        }
        Files.write(in, rows);
        PipelineReport r = Corpus.from(in)
                .dedupe(ExactDedup.builder().build())
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(tmp.resolve("out")));
        CorpusTest.assertInvariant(r);
        assertThat(r.inputDocuments()).isEqualTo(10);
        assertThat(r.keptDocuments()).isEqualTo(5);
        assertThat(r.dropped()).containsEntry("read:duplicate-id", 5L);
    }

    @Test
    void aLinkedInputDirectoryIsReadAndAnEmptyInputSaysWhy() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("disk2/corpus"));
        Files.writeString(real.resolve("Main.java"), "class Main {}\n");
        Files.write(real.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Files.createSymbolicLink(real.resolve("self"), real); // a loop
        Path linked = Files.createSymbolicLink(tmp.resolve("corpus"), real);
        PipelineReport r = Corpus.from(linked).optProgress(ProgressSink.none()).write(Sinks.jsonl(tmp.resolve("o1")));
        CorpusTest.assertInvariant(r);
        assertThat(r.keptDocuments()).isEqualTo(1);
        assertThat(r.errors()).containsEntry("read:symlink-loop", 1L);
        assertThat(r.whyEmpty()).isEmpty();

        Files.delete(real.resolve("Main.java"));
        PipelineReport empty =
                Corpus.from(linked).optProgress(ProgressSink.none()).write(Sinks.jsonl(tmp.resolve("o2")));
        CorpusTest.assertInvariant(empty);
        assertThat(empty.whyEmpty())
                .hasValue("no documents kept from 2 input items: dropped read:binary 1; errors read:symlink-loop 1");

        Path none = Files.createDirectories(tmp.resolve("nothing-here"));
        assertThat(Corpus.from(none)
                        .optProgress(ProgressSink.none())
                        .write(Sinks.jsonl(tmp.resolve("o3")))
                        .whyEmpty())
                .hasValue("no documents kept: the inputs held no files or records");
    }
}
