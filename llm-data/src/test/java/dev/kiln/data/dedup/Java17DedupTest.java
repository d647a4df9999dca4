package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact and near dedup on the JVM the build runs this on (surefire's on-java-17 execution: Java 17). */
@Tag("java17")
class Java17DedupTest {

    @TempDir
    Path tmp;

    @Test
    void dedupRunsOnThisJvm() throws Exception {
        assertThat(Runtime.version().feature())
                .isEqualTo(
                        Integer.getInteger("kiln.expect.java", Runtime.version().feature()));
        List<Document> docs = NearDedupTest.corpus(60, 4);
        DuplicateSet near =
                NearDedup.builder().optThreads(2).optSpillRecords(1024).build().find(docs, tmp.resolve("near"));
        assertThat(near.duplicates()).isNotEmpty();
        DuplicateSet exactVerify =
                NearDedup.builder().optVerify(NearDedup.Verify.EXACT).build().find(docs, tmp.resolve("exact-verify"));
        assertThat(exactVerify.duplicates()).isNotEmpty();
        List<Document> same = List.of(Document.of("a", "x  y"), Document.of("b", "x y"));
        DuplicateSet exact = ExactDedup.builder()
                .optNormalization(ExactDedup.Normalization.WHITESPACE)
                .build()
                .find(same, tmp.resolve("exact"));
        assertThat(exact.duplicates()).extracting(DuplicateSet.Duplicate::id).containsExactly("b");
    }
}
