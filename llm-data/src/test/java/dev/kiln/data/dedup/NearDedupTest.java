package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import dev.kiln.data.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class NearDedupTest {

    @TempDir
    Path work;

    /** A random Java-like file of {@code n} statements. */
    static String[] program(SplittableRandom rnd, int n) {
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            lines[i] = "    int v" + rnd.nextInt(100_000) + " = call" + rnd.nextInt(100_000) + "(a" + rnd.nextInt(1000)
                    + ", b" + rnd.nextInt(1000) + ");";
        }
        return lines;
    }

    /** Replaces {@code k} random lines. */
    static String mutate(String[] lines, int k, SplittableRandom rnd) {
        String[] c = lines.clone();
        for (int i = 0; i < k; i++) {
            c[rnd.nextInt(c.length)] = "    edited" + rnd.nextInt(1_000_000) + "(x, y, z);";
        }
        return String.join("\n", c);
    }

    @Test
    void findsNearDuplicatesAndKeepsTheFirst() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        List<Document> in = new ArrayList<>();
        String[] a = program(rnd, 100);
        String[] b = program(rnd, 100);
        in.add(Document.of("a0", String.join("\n", a)));
        in.add(Document.of("b0", String.join("\n", b)));
        in.add(Document.of("a1", mutate(a, 2, rnd))); // ~0.9 similar to a0
        in.add(Document.of("c0", String.join("\n", program(rnd, 100))));
        in.add(Document.of("b1", mutate(b, 1, rnd)));
        in.add(Document.of("a2", mutate(a, 30, rnd))); // far from a0: kept
        DuplicateSet dups = NearDedup.builder().build().find(in, work);
        assertThat(dups.duplicates()).extracting(Duplicate::id).containsExactly("a1", "b1");
        assertThat(dups.duplicates()).extracting(Duplicate::duplicateOf).containsExactly("a0", "b0");
        assertThat(dups.duplicates()).allSatisfy(d -> {
            assertThat(d.similarity()).isBetween(0.7, 1.0);
            assertThat(d.stage()).isEqualTo("near-dedup");
        });
        assertThat(dups.clusterSizes()).isEqualTo(Map.of(2, 2L));
        assertThat(work).isEmptyDirectory();
    }

    /** Many clusters of graded copies, shuffled. */
    public static List<Document> corpus(int clusters, int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Document> in = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
            String[] base = program(rnd, 60 + rnd.nextInt(100));
            in.add(Document.of("c" + c + "-0", String.join("\n", base)).withMetadata("stars", (long) rnd.nextInt(100)));
            int copies = rnd.nextInt(4);
            for (int k = 1; k <= copies; k++) {
                in.add(Document.of("c" + c + "-" + k, mutate(base, rnd.nextInt(base.length / 8 + 1), rnd))
                        .withMetadata("stars", (long) rnd.nextInt(100)));
            }
        }
        java.util.Collections.shuffle(in, new java.util.Random(seed));
        return in;
    }

    @Test
    void resultsDoNotDependOnThreadsOrSpilling() throws Exception {
        List<Document> in = corpus(400, 3);
        DuplicateSet one = NearDedup.builder().optThreads(1).build().find(in, work.resolve("a"));
        DuplicateSet spilled =
                NearDedup.builder().optThreads(2).optSpillRecords(1024).build().find(in, work.resolve("b"));
        assertThat(one.duplicates()).isNotEmpty();
        assertThat(spilled.duplicates()).isEqualTo(one.duplicates());
        assertThat(spilled.clusterSizes()).isEqualTo(one.clusterSizes());
        // every duplicate is in its own generated cluster
        assertThat(one.duplicates()).allSatisfy(d -> assertThat(prefix(d.id())).isEqualTo(prefix(d.duplicateOf())));
        try (Stream<Path> files = Files.list(work.resolve("b"))) {
            assertThat(files).isEmpty();
        }
    }

    private static String prefix(String id) {
        return id.substring(0, id.indexOf('-'));
    }

    @Test
    void keepPolicies() throws Exception {
        SplittableRandom rnd = new SplittableRandom(2);
        String[] base = program(rnd, 80);
        List<Document> in = List.of(
                Document.of("x", String.join("\n", base)).withMetadata("stars", 3L),
                Document.of("y", String.join("\n", base) + "\n    extra(line);").withMetadata("stars", 10L),
                Document.of("z", mutate(base, 1, rnd)).withMetadata("stars", "7"));
        assertThat(keptOf(in, KeepPolicy.FIRST)).isEqualTo("x");
        assertThat(keptOf(in, KeepPolicy.largest("stars"))).isEqualTo("y");
        assertThat(keptOf(in, KeepPolicy.LONGEST)).isEqualTo("y");
        assertThat(keptOf(in, KeepPolicy.largest("missing"))).isEqualTo("x");
    }

    private String keptOf(List<Document> in, KeepPolicy keep) throws Exception {
        DuplicateSet d = NearDedup.builder().optKeep(keep).build().find(in, work);
        assertThat(d.duplicates()).hasSize(2);
        return d.duplicates().get(0).duplicateOf();
    }

    @Test
    void verificationStopsUnrelatedFilesFromChainingThroughSharedBoilerplate() throws Exception {
        SplittableRandom rnd = new SplittableRandom(9);
        String header = String.join("\n", program(rnd, 40));
        List<Document> in = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // 40 shared lines, 60 own lines: pairwise Jaccard about 0.25, but LSH bands often collide
            in.add(Document.of("f" + i, header + "\n" + String.join("\n", program(rnd, 60))));
        }
        NearDedup loose = NearDedup.builder().optBands(64, 2).build();
        assertThat(loose.find(in, work).duplicates()).isEmpty();
        NearDedup exact = NearDedup.builder()
                .optBands(64, 2)
                .optVerify(NearDedup.Verify.EXACT)
                .build();
        assertThat(exact.find(in, work).duplicates()).isEmpty();
    }

    @Test
    void autoDecidesByEstimateOnlyOutsideItsMarginAndAgreesWithExact() throws Exception {
        NearDedup auto = NearDedup.builder().build();
        double m = auto.autoMargin();
        assertThat(m).isCloseTo(Math.sqrt(Math.log(1e6) / 512), org.assertj.core.data.Offset.offset(1e-12));
        int k = auto.permutations();
        assertThat(auto.decide((int) Math.ceil((0.7 + m) * k))).isEqualTo(NearDedup.Decision.JOIN);
        assertThat(auto.decide((int) Math.ceil((0.7 + m) * k) - 1)).isEqualTo(NearDedup.Decision.EXACT);
        assertThat(auto.decide(k * 7 / 10)).isEqualTo(NearDedup.Decision.EXACT);
        assertThat(auto.decide((int) Math.ceil((0.7 - m) * k))).isEqualTo(NearDedup.Decision.EXACT);
        assertThat(auto.decide((int) Math.ceil((0.7 - m) * k) - 1)).isEqualTo(NearDedup.Decision.SKIP);
        NearDedup estimate =
                NearDedup.builder().optVerify(NearDedup.Verify.ESTIMATE).build();
        assertThat(estimate.decide(180)).isEqualTo(NearDedup.Decision.JOIN);
        assertThat(estimate.decide(179)).isEqualTo(NearDedup.Decision.SKIP);
        // graded copies straddle the threshold: auto removes exactly what exact verification removes
        List<Document> in = corpus(300, 21);
        DuplicateSet a = auto.find(in, work);
        DuplicateSet e =
                NearDedup.builder().optVerify(NearDedup.Verify.EXACT).build().find(in, work);
        assertThat(a.duplicates()).hasSizeGreaterThan(100).isEqualTo(e.duplicates());
    }

    @Test
    void exactVerificationReportsExactJaccard() throws Exception {
        SplittableRandom rnd = new SplittableRandom(4);
        String[] base = program(rnd, 100);
        List<Document> in = List.of(Document.of("p", String.join("\n", base)), Document.of("q", mutate(base, 3, rnd)));
        MinHasher mh = MinHasher.of(8, 5, 1, 1_000_000);
        java.util.Set<Long> sp = new java.util.HashSet<>();
        java.util.Set<Long> sq = new java.util.HashSet<>();
        mh.signature(in.get(0).content(), mh.newSignature(), sp::add);
        mh.signature(in.get(1).content(), mh.newSignature(), sq::add);
        java.util.Set<Long> inter = new java.util.HashSet<>(sp);
        inter.retainAll(sq);
        double j = (double) inter.size() / (sp.size() + sq.size() - inter.size());
        DuplicateSet d =
                NearDedup.builder().optVerify(NearDedup.Verify.EXACT).build().find(in, work);
        assertThat(d.duplicates()).hasSize(1);
        assertThat(d.duplicates().get(0).similarity()).isCloseTo(j, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void emptyShortAndEnormousDocuments() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        String big = String.join("\n", program(rnd, 60_000)); // ~2.5 MB, 420k shingles
        List<Document> in = List.of(
                Document.of("e1", ""),
                Document.of("e2", ""),
                Document.of("p1", "{ } ;"),
                Document.of("p2", "{ } ;"),
                Document.of("s1", "int x"),
                Document.of("s2", "int x;"),
                Document.of("s3", "int y"),
                Document.of("big1", big),
                Document.of("big2", big + "\n tail(1);"));
        DuplicateSet d = NearDedup.builder().optMaxShingles(50_000).build().find(in, work);
        // no words: never near-duplicates; fewer words than an n-gram: one shingle of all words
        assertThat(d.duplicates())
                .extracting(Duplicate::id, Duplicate::duplicateOf)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s2", "s1"),
                        org.assertj.core.groups.Tuple.tuple("big2", "big1"));
    }

    @Test
    void aSkewedBucketStaysLinear() throws Exception {
        // n documents that share every band with each other: one LSH bucket of n members per band.
        // The work of clustering is counted (bucket pairs examined), not timed, so machine load
        // cannot fool the check: with maxBucketComparisons it grows as n; comparing every pair of
        // the bucket would grow as n^2 (16x for 4x the documents).
        NearDedup near = NearDedup.builder().build();
        long small = skewedBucketPairs(near, 1_500);
        long large = skewedBucketPairs(near, 6_000);
        assertThat(large).isLessThanOrEqualTo(6_000L * near.maxBucketComparisons());
        assertThat((double) large / small).isBetween(3.5, 4.5);
    }

    /** Clusters {@code n} near-identical documents; returns the bucket pairs examined. */
    private long skewedBucketPairs(NearDedup near, int n) throws Exception {
        List<Document> in = new ArrayList<>();
        String same = "public class Same { void run() { return; } }";
        for (int i = 0; i < n; i++) {
            in.add(Document.of("s" + i, same + (i % 2 == 0 ? "" : " ")));
        }
        NearDedup.Run run = near.run(in, work.resolve("n" + n));
        assertThat(run.result().duplicates()).hasSize(n - 1);
        assertThat(run.result().clusterSizes()).isEqualTo(Map.of(n, 1L));
        assertThat(run.clustering().examined()).isPositive();
        return run.clustering().examined();
    }

    @Test
    void stagesSerializeForSparkAndFlink() throws Exception {
        NearDedup d = NearDedup.builder().optKeep(KeepPolicy.largest("stars")).build();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(d);
            out.writeObject(ExactDedup.builder().build());
        }
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            NearDedup back = (NearDedup) in.readObject();
            assertThat(back.toString()).isEqualTo(d.toString());
            assertThat(back.lsh()).isEqualTo(d.lsh());
            assertThat(in.readObject()).isInstanceOf(ExactDedup.class);
        }
    }

    @Test
    void emptyInput() throws Exception {
        DuplicateSet near = NearDedup.builder().build().find(List.of(), work);
        assertThat(near.duplicates()).isEmpty();
        assertThat(near.clusterSizes()).isEmpty();
        assertThat(ExactDedup.builder().build().find(List.of(), work).duplicates())
                .isEmpty();
    }

    @Test
    void duplicateIdsAreAClearError() {
        List<Document> in = List.of(Document.of("a", "x y z"), Document.of("a", "p q r"));
        assertThatThrownBy(() -> NearDedup.builder().build().find(in, work))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate document id 'a'");
    }

    @Test
    void optionsAndDefaults() {
        NearDedup d = NearDedup.builder().build();
        assertThat(d.threshold()).isEqualTo(0.7);
        assertThat(d.permutations()).isEqualTo(256);
        assertThat(d.ngram()).isEqualTo(5);
        assertThat(d.lsh()).isEqualTo(LshParams.optimal(0.7, 256, 0.01, 0.99));
        assertThat(d.lsh()).isEqualTo(new LshParams(39, 6));
        assertThat(d.verify()).isEqualTo(NearDedup.Verify.AUTO);
        assertThat(NearDedup.Verify.parse(" Auto ")).isEqualTo(NearDedup.Verify.AUTO);
        assertThatThrownBy(() -> NearDedup.Verify.parse("fuzzy")).hasMessageContaining("'fuzzy'");
        NearDedup s = (NearDedup) Stages.create(
                "near-dedup",
                Map.of("threshold", 0.8, "bands", 16, "rows", 8, "verify", "exact", "keep", "largest:stars"));
        assertThat(s.lsh()).isEqualTo(new LshParams(16, 8));
        assertThat(s.verify()).isEqualTo(NearDedup.Verify.EXACT);
        assertThat(s.keep()).isEqualTo(KeepPolicy.largest("stars"));
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("bands", 16)))
                .hasMessageContaining("both 'bands' and 'rows'");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("bands", 100, "rows", 3)))
                .hasMessageContaining("exceeds permutations 256");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("threshold", 1.5)))
                .hasMessageContaining("threshold")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("treshold", 0.5)))
                .hasMessageContaining("unknown option 'treshold'");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("keep", "biggest")))
                .hasMessageContaining("'biggest'");
        assertThatThrownBy(() -> NearDedup.builder().optNgram(0)).hasMessageContaining("got 0");
        assertThat(Arrays.asList(d.toString().split(", "))).contains("ngram=5", "permutations=256");
    }
}
