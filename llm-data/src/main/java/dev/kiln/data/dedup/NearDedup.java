package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DuplicateSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
 * spill buffer ({@code spillRecords × 24} bytes) and the duplicates returned; signatures, shingle
 * sets and band keys are spilled to {@code workDir} and read back outside the Java heap (into a
 * direct buffer while a file is at most 64 MiB and an eighth of the maximum heap, memory-mapped
 * beyond).
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

        /**
         * {@code auto}, {@code exact} or {@code estimate}, case-insensitive.
         *
         * @throws IllegalArgumentException for any other value (the message lists the three)
         */
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

    /** A builder with the defaults (Jaccard 0.7, 5-word shingles, 256 permutations). */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Jaccard similarity at or above which documents are duplicates. */
    public double threshold() {
        return threshold;
    }

    /** Words per shingle. */
    public int ngram() {
        return ngram;
    }

    /** MinHash permutations (signature length). */
    public int permutations() {
        return permutations;
    }

    /** The bands × rows in use (given, or {@link LshParams#optimal}). */
    public LshParams lsh() {
        return lsh;
    }

    /** How candidate pairs are verified. */
    public Verify verify() {
        return verify;
    }

    /** Which document of a cluster is kept. */
    public KeepPolicy keep() {
        return keep;
    }

    /** Seed of the MinHash permutations. */
    public long seed() {
        return seed;
    }

    /** Shingles hashed per document at most. */
    public int maxShingles() {
        return maxShingles;
    }

    /** Earlier bucket members each document is verified against at most. */
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
        return run(documents, workDir).result();
    }

    /** A finished {@link #find}: the duplicates and what the clustering step did. */
    record Run(DuplicateSet result, Clusters.Stats clustering) {}

    /** {@link #find}, with the clustering step's work counts (for tests of its complexity). */
    Run run(Iterable<Document> documents, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (DocIndex index = new DocIndex(workDir, "near-dedup-", !keep.isFirst());
                SignatureStore sigs = new SignatureStore(workDir, permutations);
                ShingleStore shingles = needsShingleSets() ? new ShingleStore(workDir) : null;
                BandRuns bands = new BandRuns(workDir, spillRecords)) {
            new SignaturePass(this).run(documents, nThreads, index, sigs, shingles, bands);
            index.checkUniqueIds(NAME);
            sigs.finishWriting();
            if (shingles != null) {
                shingles.finishWriting();
            }
            long t1 = System.nanoTime();
            int n = index.size();
            UnionFind uf = new UnionFind(n);
            Clusters clusters = new Clusters(this);
            Clusters.Stats stats = clusters.cluster(bands, uf, sigs, shingles);
            long t2 = System.nanoTime();
            DuplicateSet result = clusters.collect(n, uf, index, sigs, shingles);
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
                    stats.verified(),
                    stats.exact(),
                    stats.joined(),
                    result.duplicates().size(),
                    (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000);
            return new Run(result, stats);
        }
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

        /** The near deduplicator with the settings given. */
        public NearDedup build() {
            return new NearDedup(this);
        }
    }
}
