package dev.kiln.data.dedup;

import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second step of {@link NearDedup}: candidate pairs from each LSH bucket, verified as the
 * stage's {@link NearDedup.Verify} mode says, joined by union–find, then one document kept per
 * cluster.
 */
final class Clusters {

    private final NearDedup config;
    private final boolean exactOnly;
    private final double threshold;
    private final int maxBucketComparisons;

    Clusters(NearDedup config) {
        this.config = config;
        this.exactOnly = config.verify() == NearDedup.Verify.EXACT;
        this.threshold = config.threshold();
        this.maxBucketComparisons = config.maxBucketComparisons();
    }

    /**
     * What {@link #cluster} did: bucket pairs {@code examined} (each costs a union–find lookup; the
     * measure of the step's work, linear in the bucket sizes because of {@code maxBucketComparisons}),
     * of them {@code verified}, {@code joined}, and decided by exact Jaccard ({@code exact}).
     */
    record Stats(long examined, long verified, long joined, long exact) {}

    /** Verifies the candidate pairs of every LSH bucket and joins the verified ones. */
    Stats cluster(BandRuns bands, UnionFind uf, SignatureStore sigs, ShingleStore shingles) throws IOException {
        long examined = 0;
        long verified = 0;
        long joined = 0;
        long exact = 0;
        PrimitiveLists.LongSet computed = new PrimitiveLists.LongSet();
        PrimitiveLists.Ints members = new PrimitiveLists.Ints(64);
        try (BandRuns.Cursor c = bands.finish()) {
            boolean more = c.next();
            while (more) {
                long key = c.key();
                members.clear();
                do {
                    members.add(c.value());
                    more = c.next();
                } while (more && c.key() == key);
                int m = members.size;
                if (m < 2) {
                    continue;
                }
                int[] mem = members.a;
                if (oneComponent(uf, mem, m)) {
                    continue; // the common case for a cluster seen in an earlier band
                }
                for (int j = 1; j < m; j++) {
                    int y = mem[j];
                    int limit = Math.min(j, maxBucketComparisons);
                    examined += limit;
                    for (int i = 0; i < limit; i++) {
                        int x = mem[i];
                        if (uf.find(x) == uf.find(y)) {
                            continue;
                        }
                        verified++;
                        NearDedup.Decision decision = config.decide(exactOnly ? 0 : sigs.equalCount(x, y));
                        boolean ok = decision == NearDedup.Decision.JOIN;
                        // a pair below the threshold shares many bands: its exact Jaccard is computed once
                        if (decision == NearDedup.Decision.EXACT
                                && computed.add(((long) Math.min(x, y) << 32) | Math.max(x, y))) {
                            exact++;
                            ok = shingles.jaccardAtLeast(x, y, threshold);
                        }
                        if (ok) {
                            uf.union(x, y);
                            joined++;
                        }
                    }
                }
            }
        }
        return new Stats(examined, verified, joined, exact);
    }

    private static boolean oneComponent(UnionFind uf, int[] mem, int m) {
        int r = uf.find(mem[0]);
        for (int i = 1; i < m; i++) {
            if (uf.find(mem[i]) != r) {
                return false;
            }
        }
        return true;
    }

    /** The duplicates of every cluster of two or more: all but the one the keep policy picks. */
    DuplicateSet collect(int n, UnionFind uf, DocIndex index, SignatureStore sigs, ShingleStore shingles)
            throws IOException {
        int[] size = new int[n];
        int[] best = new int[n];
        java.util.Arrays.fill(best, -1);
        for (int d = 0; d < n; d++) {
            int r = uf.find(d);
            size[r]++;
            if (best[r] < 0 || index.score(d) > index.score(best[r])) {
                best[r] = d;
            }
        }
        BitSet need = new BitSet(n);
        Map<Integer, Long> histogram = new TreeMap<>();
        for (int d = 0; d < n; d++) {
            int r = uf.find(d);
            if (size[r] >= 2) {
                need.set(d);
            }
            if (r == d && size[d] >= 2) {
                histogram.merge(size[d], 1L, Long::sum);
            }
        }
        String[] ids = index.resolve(need);
        List<Duplicate> out = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            int r = uf.find(d);
            if (size[r] >= 2 && best[r] != d) {
                int kept = best[r];
                double sim = shingles != null ? shingles.jaccard(d, kept) : sigs.estimate(d, kept);
                out.add(new Duplicate(ids[d], ids[kept], sim, NearDedup.NAME));
            }
        }
        return new DedupResult(out, histogram);
    }
}
