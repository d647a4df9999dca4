package dev.kiln.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.NearDedup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Near dedup against exact ground truth on real JDK sources with graded mutated copies. */
class NearDedupQualityTest {

    @TempDir
    Path work;

    @Test
    void removedSetMatchesExactTruth() throws Exception {
        List<NearDupCorpus.Doc> corpus = NearDupCorpus.build(NearDupCorpus.jdkSrcZip(), 400, 400, 3);
        List<String> contents = new ArrayList<>();
        List<Document> docs = new ArrayList<>();
        for (NearDupCorpus.Doc d : corpus) {
            contents.add(d.content());
            docs.add(Document.of(d.id(), d.content()));
        }
        BitSet dup = NearDupTruth.duplicates(contents, 5, 0.7);
        Set<String> truth = new HashSet<>();
        for (int i = dup.nextSetBit(0); i >= 0; i = dup.nextSetBit(i + 1)) {
            truth.add(corpus.get(i).id());
        }
        DuplicateSet found = NearDedup.builder().build().find(docs, work);
        Set<String> removed = new HashSet<>();
        for (DuplicateSet.Duplicate d : found.duplicates()) {
            removed.add(d.id());
        }
        DedupQuality.Score s = DedupQuality.score(truth, removed);
        assertThat(truth.size()).isGreaterThan(300);
        assertThat(s.f1()).as(s.toString()).isGreaterThanOrEqualTo(0.96);

        DuplicateSet exact =
                NearDedup.builder().optVerify(NearDedup.Verify.EXACT).build().find(docs, work);
        Set<String> removedExact = new HashSet<>();
        exact.duplicates().forEach(d -> removedExact.add(d.id()));
        DedupQuality.Score se = DedupQuality.score(truth, removedExact);
        assertThat(se.precision()).as(se.toString()).isEqualTo(1.0);
        assertThat(se.f1()).as(se.toString()).isGreaterThanOrEqualTo(0.97);
    }

    @Test
    void truthFindsPlantedPairsAndOnlyThem() {
        String a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho";
        String b = a + " sigma"; // 13 of 14 shingles shared
        String c = "one two three four five six seven eight nine ten";
        BitSet d = NearDupTruth.duplicates(List.of(a, c, b, c.replace("five", "5")), 5, 0.7);
        assertThat(d.stream().toArray()).containsExactly(2);
    }
}
