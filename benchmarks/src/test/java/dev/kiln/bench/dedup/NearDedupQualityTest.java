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

/**
 * Near dedup at default settings against exact ground truth: on the corpus the defaults were tuned
 * on (JDK sources with graded mutated copies) and on two they were not (several Python releases'
 * standard libraries; npm's JavaScript with another edit model).
 */
class NearDedupQualityTest {

    @TempDir
    Path work;

    @Test
    void removedSetMatchesExactTruth() throws Exception {
        List<NearDupCorpus.Doc> corpus = NearDupCorpus.build(NearDupCorpus.jdkSrcZip(), 400, 400, 3);
        Set<String> truth = truth(corpus);
        List<Document> docs = documents(corpus);
        DuplicateSet found = NearDedup.builder().build().find(docs, work);
        Set<String> removed = new HashSet<>();
        for (DuplicateSet.Duplicate d : found.duplicates()) {
            removed.add(d.id());
        }
        DedupQuality.Score s = DedupQuality.score(truth, removed);
        assertThat(truth.size()).isGreaterThan(300);
        assertThat(s.f1()).as(s.toString()).isGreaterThanOrEqualTo(0.98);

        DuplicateSet estimate =
                NearDedup.builder().optVerify(NearDedup.Verify.ESTIMATE).build().find(docs, work);
        Set<String> removedEstimate = new HashSet<>();
        estimate.duplicates().forEach(d -> removedEstimate.add(d.id()));
        DedupQuality.Score se = DedupQuality.score(truth, removedEstimate);
        assertThat(se.f1()).as(se.toString()).isGreaterThanOrEqualTo(0.96);
    }

    @Test
    void heldOutPythonReleasesMatchExactTruth() throws Exception {
        List<java.nio.file.Path> stdlibs = HeldOutCorpora.pythonStdlibs();
        boolean ci = "true".equals(System.getenv("CI"));
        String missing = "needs the standard libraries of two Python releases (found " + stdlibs
                + "); .ci/setup.d/neardup-corpora.sh installs Debian's python3";
        if (ci) {
            assertThat(stdlibs).as(missing).hasSizeGreaterThanOrEqualTo(2);
        } else {
            org.junit.jupiter.api.Assumptions.assumeTrue(stdlibs.size() >= 2, missing);
        }
        assertHeldOut(HeldOutCorpora.pythonVersions(stdlibs, 150, 5), 60);
    }

    @Test
    void heldOutNpmTreeMatchesExactTruth() throws Exception {
        java.nio.file.Path npm = java.nio.file.Path.of("/usr/lib/node_modules");
        boolean ci = "true".equals(System.getenv("CI"));
        if (!ci) {
            org.junit.jupiter.api.Assumptions.assumeTrue(
                    java.nio.file.Files.isDirectory(npm), "needs Node.js's npm under /usr/lib/node_modules");
        }
        assertHeldOut(HeldOutCorpora.npm(npm, 300, 300, 5), 200);
    }

    private void assertHeldOut(List<NearDupCorpus.Doc> corpus, int minTruth) throws Exception {
        Set<String> truth = truth(corpus);
        DuplicateSet found = NearDedup.builder().build().find(documents(corpus), work);
        Set<String> removed = new HashSet<>();
        found.duplicates().forEach(d -> removed.add(d.id()));
        DedupQuality.Score s = DedupQuality.score(truth, removed);
        assertThat(truth.size()).as(s.toString()).isGreaterThan(minTruth);
        assertThat(s.f1()).as(s.toString()).isGreaterThanOrEqualTo(0.98);
    }

    private static List<Document> documents(List<NearDupCorpus.Doc> corpus) {
        List<Document> docs = new ArrayList<>();
        corpus.forEach(d -> docs.add(Document.of(d.id(), d.content())));
        return docs;
    }

    private static Set<String> truth(List<NearDupCorpus.Doc> corpus) {
        List<String> contents = new ArrayList<>();
        corpus.forEach(d -> contents.add(d.content()));
        BitSet dup = NearDupTruth.duplicates(contents, 5, 0.7);
        Set<String> truth = new HashSet<>();
        for (int i = dup.nextSetBit(0); i >= 0; i = dup.nextSetBit(i + 1)) {
            truth.add(corpus.get(i).id());
        }
        return truth;
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
