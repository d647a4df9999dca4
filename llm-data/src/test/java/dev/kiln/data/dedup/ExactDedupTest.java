package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import dev.kiln.data.Stages;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExactDedupTest {

    @TempDir
    Path work;

    private static List<Document> docs(String... contents) {
        Document[] d = new Document[contents.length];
        for (int i = 0; i < contents.length; i++) {
            d[i] = Document.of("d" + i, contents[i]);
        }
        return List.of(d);
    }

    @Test
    void keepsTheFirstOccurrenceInInputOrder() throws Exception {
        DuplicateSet dups = ExactDedup.builder()
                .build()
                .find(docs("class A {}", "class B {}", "class A {}", "", "class A {}", "", "class A { }"), work);
        assertThat(dups.duplicates())
                .containsExactly(
                        new Duplicate("d2", "d0", 1.0, "exact-dedup"),
                        new Duplicate("d4", "d0", 1.0, "exact-dedup"),
                        new Duplicate("d5", "d3", 1.0, "exact-dedup"));
        assertThat(dups.isDuplicate("d2")).isTrue();
        assertThat(dups.isDuplicate("d0")).isFalse();
        assertThat(dups.isDuplicate("d6")).isFalse();
        assertThat(dups.clusterSizes()).isEqualTo(Map.of(3, 1L, 2, 1L));
    }

    @Test
    void whitespaceInsensitiveIgnoresIndentationLineEndsAndTrailingSpace() throws Exception {
        List<Document> in = docs(
                "class A {\n  int x;\n}\n",
                "class A {\r\n\tint x;\r\n}",
                "  class A { int x; }  ",
                "class A{int x;}",
                "class A {\n  int y;\n}\n");
        DuplicateSet none = ExactDedup.builder().build().find(in, work);
        assertThat(none.duplicates()).isEmpty();
        DuplicateSet ws = ExactDedup.builder()
                .optNormalization(ExactDedup.Normalization.WHITESPACE)
                .build()
                .find(in, work);
        assertThat(ws.duplicates()).extracting(Duplicate::id).containsExactly("d1", "d2");
        assertThat(ws.duplicates()).extracting(Duplicate::duplicateOf).containsOnly("d0");
    }

    @Test
    void hashSeparatesNearlyEqualContents() {
        long[] a = new long[2];
        long[] b = new long[2];
        String base = "x".repeat(37);
        ExactDedup.hash128(base, false, a);
        for (int i = 0; i < base.length(); i++) {
            ExactDedup.hash128(base.substring(0, i) + "y" + base.substring(i + 1), false, b);
            assertThat(b).isNotEqualTo(a);
        }
        ExactDedup.hash128(base + "\0", false, b);
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void manyDocumentsWithFewDistinctContents() throws Exception {
        Document[] d = new Document[20_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = Document.of("id-" + i, "content " + (i % 1000));
        }
        DuplicateSet dups = ExactDedup.builder().build().find(List.of(d), work);
        assertThat(dups.duplicates()).hasSize(19_000);
        assertThat(dups.clusterSizes()).isEqualTo(Map.of(20, 1000L));
        assertThat(dups.duplicates().get(0)).isEqualTo(new Duplicate("id-1000", "id-0", 1.0, "exact-dedup"));
    }

    @Test
    void duplicateIdsAreAClearError() {
        List<Document> in = List.of(Document.of("a", "x"), Document.of("b", "y"), Document.of("a", "z"));
        assertThatThrownBy(() -> ExactDedup.builder().build().find(in, work))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate document id 'a'")
                .hasMessageContaining("#0 and #2");
    }

    @Test
    void registeredWithValidatedOptions() {
        assertThat(Stages.names()).contains("exact-dedup", "near-dedup");
        ExactDedup e = (ExactDedup) Stages.create("exact-dedup", Map.of("normalization", "whitespace-insensitive"));
        assertThat(e.normalization()).isEqualTo(ExactDedup.Normalization.WHITESPACE);
        assertThatThrownBy(() -> Stages.create("exact-dedup", Map.of("normalisation", "none")))
                .hasMessageContaining("unknown option 'normalisation'")
                .hasMessageContaining("normalization");
        assertThatThrownBy(() -> Stages.create("exact-dedup", Map.of("normalization", "tabs")))
                .hasMessageContaining("'tabs'");
    }

    /** The key without normalisation is git's blob id; the expected values are {@code git hash-object}'s output. */
    @Test
    void theKeyIsTheGitBlobIdAsGitHashObjectPrintsIt() {
        assertThat(ExactDedup.contentHash("hello\n", ExactDedup.Normalization.NONE))
                .isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(ExactDedup.contentHash("def f():\n    return 1\n", null, ExactDedup.Normalization.NONE))
                .isEqualTo("b8595995dba30b1cf7ee90f336b3e3356ee99e1b");
        String given = "B8595995DBA30B1CF7EE90F336B3E3356EE99E1B";
        assertThat(ExactDedup.contentHash("anything", given, ExactDedup.Normalization.NONE))
                .as("a hexsha is the key as given, not recomputed")
                .isEqualTo(given.toLowerCase(java.util.Locale.ROOT));
        assertThat(ExactDedup.contentHash("hello\n", "not-a-sha", ExactDedup.Normalization.NONE))
                .as("a malformed hexsha is ignored")
                .isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(ExactDedup.contentHash("hello\n", given, ExactDedup.Normalization.WHITESPACE))
                .as("whitespace normalisation hashes the content")
                .isEqualTo(ExactDedup.contentHash("hello", null, ExactDedup.Normalization.WHITESPACE))
                .hasSize(32);
    }

    /** The Stack's rows are keyed by their hexsha, and match files without one that hold the same content. */
    @Test
    void stackRowsAreKeyedByHexshaAndMatchPlainFilesOfTheSameContent() throws Exception {
        String sha = "b8595995dba30b1cf7ee90f336b3e3356ee99e1b"; // git hash-object of the content below
        String content = "def f():\n    return 1\n";
        List<Document> in = List.of(
                Document.of("plain", content),
                Document.of("stack-1", content).withMetadata(ExactDedup.HEXSHA, sha),
                // same hexsha, content as a later stage left it: the crawl's id decides
                Document.of("stack-2", content.replace("1", "2")).withMetadata(ExactDedup.HEXSHA, sha),
                Document.of("other", "x = 1\n").withMetadata(ExactDedup.HEXSHA, "%040x".formatted(7)));
        DuplicateSet dups = ExactDedup.builder().build().find(in, work);
        assertThat(dups.duplicates())
                .containsExactly(
                        new Duplicate("stack-1", "plain", 1.0, "exact-dedup"),
                        new Duplicate("stack-2", "plain", 1.0, "exact-dedup"));
        DuplicateSet ws = ExactDedup.builder()
                .optNormalization(ExactDedup.Normalization.WHITESPACE)
                .build()
                .find(in, work);
        assertThat(ws.duplicates()).extracting(Duplicate::id).containsExactly("stack-1");
    }
}
