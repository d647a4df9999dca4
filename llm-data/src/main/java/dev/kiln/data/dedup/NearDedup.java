package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import dev.kiln.core.progress.Progress;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near deduplication ({@code near-dedup}) with MinHash and LSH, verified.
 *
 * <ol>
 *   <li>Every document gets a MinHash signature over word n-gram shingles ({@link MinHasher}),
 *       computed in parallel on all cores; signatures are spilled to {@code workDir} in input order.
 *   <li>The signature is cut into {@code bands × rows}; each band's hash is an LSH bucket key.
 *       (key, document) records are sorted in bounded memory (sorted runs + external merge).
 *   <li>Within each bucket, documents are compared with the bucket's earlier members (at most
 *       {@code maxBucketComparisons} of them, so a skewed bucket of thousands of members stays linear)
 *       and a pair joins a cluster only if it is <b>verified</b>: its Jaccard similarity is ≥ the
 *       threshold, by exact Jaccard of the shingle sets wherever the signature's estimate is not
 *       decisive ({@link Verify#AUTO}, the default), by exact Jaccard always ({@link Verify#EXACT}),
 *       or by the estimate alone ({@link Verify#ESTIMATE}). Unverified LSH collisions never chain
 *       unrelated files.
 *   <li>Union–find clusters; in each cluster the {@link KeepPolicy} picks the kept document and the
 *       others are duplicates of it, with their similarity to it.
 * </ol>
 *
 * <p>Results are deterministic: they do not depend on the number of threads or spill runs.
 * Heap use is about 12–20 bytes per document (id hash, union–find, optional keep score) plus the
 * spill buffer ({@code spillRecords × 24} bytes) and the duplicates returned; signatures and band
 * keys live on disk.
 *
 * <p>Documents without words have no shingles and are never near-duplicates (exact dedup catches
 * identical ones). Documents shorter than one n-gram have a single shingle of all their words.
 * Documents longer than {@code maxShingles} shingles are hashed on their first {@code maxShingles}.
 *
 * <pre>{@code
 * NearDedup near = NearDedup.builder().optThreshold(0.7).optKeep(KeepPolicy.largest("stars")).build();
 * DuplicateSet dups = near.find(documents, workDir);
 * }</pre>
 */
public final class NearDedup implements DedupStage {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NearDedup.class);

    /** The stage name in recipes and reports. */
    public static final String NAME = "near-dedup";

    /** Default weight of the false-positive area in {@link LshParams#optimal}. */
    public static final double DEFAULT_FP_WEIGHT = 0.01;

    /** How a candidate pair from an LSH bucket is verified. */
    public enum Verify {
        /** Fraction of equal signature positions (all permutations) ≥ threshold. */
        ESTIMATE,
        /** Exact Jaccard of the shingle sets ≥ threshold, for every candidate (sets spilled to disk). */
        EXACT,
        /**
         * The estimate decides where it is decisive, exact Jaccard where it is not (the default): a
         * pair whose estimate is at least a margin above the threshold is joined, one
         * that far below is not, and every pair in between is decided by exact Jaccard. The margin ({@link
         * NearDedup#autoMargin()})
         * is {@code sqrt(ln(10^6) / (2·permutations))} (0.164 for 256), so by Hoeffding's bound an
         * estimate that far off happens with probability below 10^-6: the results are those of
         * {@link #EXACT} at a fraction of its reads.
         */
        AUTO;

        public static Verify parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            switch (v) {
                case "estimate":
                    return ESTIMATE;
                case "exact":
                    return EXACT;
                case "auto":
                    return AUTO;
                default:
                    throw new IllegalArgumentException("unknown verify mode '" + s + "'; use auto, exact or estimate");
            }
        }
    }

    /** What {@link #decide} says about a candidate pair. */
    public enum Decision {
        /** Near duplicates. */
        JOIN,
        /** Not near duplicates. */
        SKIP,
        /** Decide by the exact Jaccard of the two shingle sets. */
        EXACT
    }

    private final double threshold;
    private final int ngram;
    private final int permutations;
    private final LshParams lsh;
    private final Verify verify;
    private final KeepPolicy keep;
    private final long seed;
    private final int maxShingles;
    private final int maxBucketComparisons;
    private final int threads;
    private final int spillRecords;
    private final MinHasher hasher;

    private NearDedup(Builder b) {
        this.threshold = b.threshold;
        this.ngram = b.ngram;
        this.permutations = b.permutations;
        if (b.bands > 0) {
            if ((long) b.bands * b.rows > b.permutations) {
                throw new IllegalArgumentException("bands × rows = " + b.bands + " × " + b.rows + " = "
                        + (long) b.bands * b.rows + " exceeds permutations " + b.permutations);
            }
            this.lsh = new LshParams(b.bands, b.rows);
        } else if (b.rows > 0) {
            throw new IllegalArgumentException("rows " + b.rows + " given without bands; give both or neither");
        } else {
            this.lsh = LshParams.optimal(b.threshold, b.permutations, b.fpWeight, 1 - b.fpWeight);
        }
        this.verify = b.verify;
        this.keep = b.keep;
        this.seed = b.seed;
        this.maxShingles = b.maxShingles;
        this.maxBucketComparisons = b.maxBucketComparisons;
        this.threads = b.threads;
        this.spillRecords = b.spillRecords;
        this.hasher = MinHasher.of(permutations, ngram, seed, maxShingles);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    public double threshold() {
        return threshold;
    }

    public int ngram() {
        return ngram;
    }

    public int permutations() {
        return permutations;
    }

    /** The bands × rows in use (given, or {@link LshParams#optimal}). */
    public LshParams lsh() {
        return lsh;
    }

    public Verify verify() {
        return verify;
    }

    public KeepPolicy keep() {
        return keep;
    }

    public long seed() {
        return seed;
    }

    public int maxShingles() {
        return maxShingles;
    }

    public int maxBucketComparisons() {
        return maxBucketComparisons;
    }

    /** The MinHasher of this configuration (engines share it so they agree bit for bit). */
    public MinHasher hasher() {
        return hasher;
    }

    /** The minimum number of equal signature positions for an estimated match. */
    public int minEqualPositions() {
        return (int) Math.ceil(threshold * permutations - 1e-9);
    }

    /** Whether candidates need the documents' shingle sets ({@link Verify#EXACT} or {@link Verify#AUTO}). */
    public boolean needsShingleSets() {
        return verify != Verify.ESTIMATE;
    }

    /** The estimate's margin around the threshold inside which {@link Verify#AUTO} computes exact Jaccard. */
    public double autoMargin() {
        return Math.sqrt(Math.log(1e6) / (2.0 * permutations));
    }

    /**
     * How a candidate pair with {@code equalPositions} equal signature positions is decided under
     * this stage's {@link Verify} mode; every engine decides through this method, so they agree.
     */
    public Decision decide(int equalPositions) {
        switch (verify) {
            case ESTIMATE:
                return equalPositions >= minEqualPositions() ? Decision.JOIN : Decision.SKIP;
            case EXACT:
                return Decision.EXACT;
            default:
                double est = (double) equalPositions / permutations;
                double m = autoMargin();
                if (est >= threshold + m) {
                    return Decision.JOIN;
                }
                if (est < threshold - m) {
                    return Decision.SKIP;
                }
                return Decision.EXACT;
        }
    }

    @Override
    public DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (DocIndex index = new DocIndex(workDir, "near-dedup-", !keep.isFirst());
                SignatureStore sigs = new SignatureStore(workDir, permutations);
                ShingleStore shingles = needsShingleSets() ? new ShingleStore(workDir) : null;
                BandRuns bands = new BandRuns(workDir, spillRecords)) {
            computeSignatures(documents, nThreads, index, sigs, shingles, bands);
            index.checkUniqueIds(NAME);
            sigs.finishWriting();
            if (shingles != null) {
                shingles.finishWriting();
            }
            long t1 = System.nanoTime();
            int n = index.size();
            UnionFind uf = new UnionFind(n);
            long[] stats = cluster(bands, uf, sigs, shingles);
            long t2 = System.nanoTime();
            DuplicateSet result = collect(n, uf, index, sigs, shingles);
            LOG.info(
                    "{}: {} docs, {} bands x {} rows, {} band records in {} spilled runs, {} candidate pairs verified"
                            + " ({} by exact Jaccard), {} joined; {} duplicates; signatures {} ms, clustering {} ms,"
                            + " total {} ms",
                    NAME,
                    n,
                    lsh.bands(),
                    lsh.rows(),
                    bands.total(),
                    bands.spilledRuns(),
                    stats[0],
                    stats[2],
                    stats[1],
                    result.duplicates().size(),
                    (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000);
            return result;
        }
    }

    /** A batch of documents whose signatures one worker computes. */
    private static final class Batch {
        final String[] contents;
        final int count;
        final int firstOrdinal;
        final long chars;
        int[] sigs;
        long[] bandKeys;
        int[] shingleCounts;
        long[][] shingleSets;

        Batch(String[] contents, int count, int firstOrdinal, long chars) {
            this.contents = contents;
            this.count = count;
            this.firstOrdinal = firstOrdinal;
            this.chars = chars;
        }
    }

    private static final int BATCH_DOCS = 256;
    private static final int BATCH_CHARS = 1 << 20;

    private Batch compute(Batch b) {
        int k = permutations;
        b.sigs = new int[b.count * k];
        b.shingleCounts = new int[b.count];
        int nb = lsh.bands();
        int rows = lsh.rows();
        b.bandKeys = new long[b.count * nb];
        int[] sig = new int[k];
        PrimitiveLists.Longs sh = needsShingleSets() ? new PrimitiveLists.Longs(1 << 12) : null;
        if (sh != null) {
            b.shingleSets = new long[b.count][];
        }
        for (int d = 0; d < b.count; d++) {
            if (sh != null) {
                sh.clear();
            }
            b.shingleCounts[d] = hasher.signature(b.contents[d], sig, sh == null ? null : sh::add);
            System.arraycopy(sig, 0, b.sigs, d * k, k);
            for (int band = 0; band < nb; band++) {
                b.bandKeys[d * nb + band] = MinHasher.bandKey(sig, band, rows);
            }
            if (sh != null) {
                int u = ShingleStore.sortUnique(sh.a, sh.size);
                b.shingleSets[d] = java.util.Arrays.copyOf(sh.a, u);
            }
        }
        return b;
    }

    private void computeSignatures(
            Iterable<Document> documents,
            int nThreads,
            DocIndex index,
            SignatureStore sigs,
            ShingleStore shingles,
            BandRuns bands)
            throws IOException {
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = nThreads <= 1
                ? null
                : Executors.newFixedThreadPool(nThreads, r -> {
                    Thread t = new Thread(r, "near-dedup-" + threadNo.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ArrayDeque<Future<Batch>> inflight = new ArrayDeque<>();
        int maxInflight = nThreads * 2 + 1;
        try (Progress progress =
                Progress.builder().setTask(NAME).optUnit("docs").build()) {
            Iterator<Document> it = documents.iterator();
            while (it.hasNext()) {
                String[] contents = new String[BATCH_DOCS];
                int count = 0;
                long chars = 0;
                int first = index.size();
                while (count < BATCH_DOCS && chars < BATCH_CHARS && it.hasNext()) {
                    Document doc = it.next();
                    index.add(doc.id(), keep.isFirst() ? 0 : keep.score(doc));
                    contents[count++] = doc.content();
                    chars += doc.content().length();
                }
                Batch batch = new Batch(contents, count, first, chars);
                if (pool == null) {
                    consume(compute(batch), sigs, shingles, bands, progress);
                } else {
                    inflight.add(pool.submit(() -> compute(batch)));
                    while (inflight.size() >= maxInflight
                            || (!inflight.isEmpty() && inflight.peek().isDone())) {
                        consume(await(inflight.poll()), sigs, shingles, bands, progress);
                    }
                }
            }
            while (!inflight.isEmpty()) {
                consume(await(inflight.poll()), sigs, shingles, bands, progress);
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private static Batch await(Future<Batch> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing signatures", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    private void consume(Batch b, SignatureStore sigs, ShingleStore shingles, BandRuns bands, Progress progress)
            throws IOException {
        sigs.append(b.sigs, b.count);
        int nb = lsh.bands();
        for (int d = 0; d < b.count; d++) {
            if (shingles != null) {
                shingles.append(b.shingleSets[d]);
            }
            if (b.shingleCounts[d] > 0) {
                for (int band = 0; band < nb; band++) {
                    bands.add(b.bandKeys[d * nb + band], b.firstOrdinal + d);
                }
            }
        }
        progress.advance(b.count, b.chars);
    }

    private long[] cluster(BandRuns bands, UnionFind uf, SignatureStore sigs, ShingleStore shingles)
            throws IOException {
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
                    for (int i = 0; i < limit; i++) {
                        int x = mem[i];
                        if (uf.find(x) == uf.find(y)) {
                            continue;
                        }
                        verified++;
                        Decision decision = decide(verify == Verify.EXACT ? 0 : sigs.equalCount(x, y));
                        boolean ok = decision == Decision.JOIN;
                        // a pair below the threshold shares many bands: its exact Jaccard is computed once
                        if (decision == Decision.EXACT
                                && computed.add(((long) Math.min(x, y) << 32) | Math.max(x, y))) {
                            exact++;
                            ok = shingles.jaccard(x, y) >= threshold;
                        }
                        if (ok) {
                            uf.union(x, y);
                            joined++;
                        }
                    }
                }
            }
        }
        return new long[] {verified, joined, exact};
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

    private DuplicateSet collect(int n, UnionFind uf, DocIndex index, SignatureStore sigs, ShingleStore shingles)
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
                out.add(new Duplicate(ids[d], ids[kept], sim, NAME));
            }
        }
        return new DedupResult(out, histogram);
    }

    @Override
    public String toString() {
        return NAME + "{threshold=" + threshold + ", ngram=" + ngram + ", permutations=" + permutations + ", bands="
                + lsh.bands() + ", rows=" + lsh.rows() + ", verify="
                + verify.name().toLowerCase(Locale.ROOT)
                + ", keep=" + keep + ", seed=" + seed + "}";
    }

    /** Builder; every option has a default (BigCode's shingles and permutations; verified, recall-leaning LSH). */
    public static final class Builder {
        private double threshold = 0.7;
        private int ngram = 5;
        private int permutations = 256;
        private int bands;
        private int rows;
        private Verify verify = Verify.AUTO;
        private KeepPolicy keep = KeepPolicy.FIRST;
        private long seed = 42;
        private int maxShingles = 100_000;
        private int maxBucketComparisons = 64;
        private int threads;
        private int spillRecords = 1 << 20;
        private double fpWeight = DEFAULT_FP_WEIGHT;

        private Builder() {}

        /**
         * The weight of the false-positive area when bands × rows are chosen ({@code 1 - fpWeight}
         * weighs false negatives); default 0.01. BigCode uses 0.5 because its candidates are not
         * verified; here a false-positive candidate costs only one verification, while a false
         * negative is a duplicate that stays, so the default favours recall: 39 × 6 for 256
         * permutations at 0.7 (a pair at the threshold becomes a candidate with probability 0.992),
         * against BigCode's 25 × 10, whose S-curve is only 0.51 at the threshold. Tuned on the JDK
         * corpus of {@code benchmarks/compare/neardup.sh}, checked on Python and npm corpora.
         */
        public Builder optFalsePositiveWeight(double fpWeight) {
            if (!(fpWeight > 0 && fpWeight < 1)) {
                throw new IllegalArgumentException("false-positive weight must be in (0, 1), got " + fpWeight);
            }
            this.fpWeight = fpWeight;
            return this;
        }

        /** Jaccard similarity at or above which documents are duplicates, in (0, 1); default 0.7. */
        public Builder optThreshold(double threshold) {
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /** Words per shingle, 1..64; default 5. */
        public Builder optNgram(int ngram) {
            if (ngram < 1 || ngram > 64) {
                throw new IllegalArgumentException("ngram must be in 1..64, got " + ngram);
            }
            this.ngram = ngram;
            return this;
        }

        /** MinHash permutations (signature length), 2..8192; default 256. */
        public Builder optPermutations(int permutations) {
            if (permutations < 2 || permutations > 8192) {
                throw new IllegalArgumentException("permutations must be in 2..8192, got " + permutations);
            }
            this.permutations = permutations;
            return this;
        }

        /**
         * LSH bands and rows per band ({@code bands × rows ≤ permutations}); default: {@link
         * LshParams#optimal(double, int)} for the threshold and permutations.
         */
        public Builder optBands(int bands, int rows) {
            if (bands < 1 || rows < 1) {
                throw new IllegalArgumentException("bands and rows must be >= 1, got bands=" + bands + " rows=" + rows);
            }
            this.bands = bands;
            this.rows = rows;
            return this;
        }

        /** How candidates are verified; default {@link Verify#AUTO}. */
        public Builder optVerify(Verify verify) {
            if (verify == null) {
                throw new IllegalArgumentException("verify must not be null; use ESTIMATE or EXACT");
            }
            this.verify = verify;
            return this;
        }

        /** Which document of a cluster is kept; default {@link KeepPolicy#FIRST}. */
        public Builder optKeep(KeepPolicy keep) {
            if (keep == null) {
                throw new IllegalArgumentException("keep policy must not be null");
            }
            this.keep = keep;
            return this;
        }

        /** Seed of the MinHash permutations; default 42. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Shingles hashed per document at most (the first ones); default 100,000. */
        public Builder optMaxShingles(int maxShingles) {
            if (maxShingles < 1) {
                throw new IllegalArgumentException("maxShingles must be >= 1, got " + maxShingles);
            }
            this.maxShingles = maxShingles;
            return this;
        }

        /**
         * Earlier bucket members each document is verified against at most; bounds the work of a
         * skewed bucket to {@code members × maxBucketComparisons}; default 64.
         */
        public Builder optMaxBucketComparisons(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxBucketComparisons must be >= 1, got " + max);
            }
            this.maxBucketComparisons = max;
            return this;
        }

        /** Threads computing signatures; default (0) all cores. Results do not depend on it. */
        public Builder optThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Band records held in memory before a sorted run is spilled (24 bytes each); default 2^20. */
        public Builder optSpillRecords(int records) {
            if (records < 1024) {
                throw new IllegalArgumentException("spillRecords must be >= 1024, got " + records);
            }
            this.spillRecords = records;
            return this;
        }

        public NearDedup build() {
            return new NearDedup(this);
        }
    }
}
