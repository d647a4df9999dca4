package dev.kiln.data.spark;

import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.DedupResult;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.KeepPolicy;
import dev.kiln.data.dedup.MinHasher;
import dev.kiln.data.dedup.NearDedup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Exact and near deduplication on Spark, with exactly the results of the local engine ({@link
 * NearDedup#find}, {@link ExactDedup#find}) on the same input in the same order.
 *
 * <p>Near dedup runs as: signatures (per partition, the same {@link MinHasher}) → explode bands →
 * group by bucket → candidate pairs (each member with at most {@code maxBucketComparisons} earlier
 * members of its bucket, so skewed buckets stay linear) → verified edges (Jaccard ≥ threshold,
 * decided as {@link NearDedup#decide} says: by the estimate, or by exact Jaccard of the shingle
 * sets the signatures then carry) → connected components by iterative min-label propagation → keep policy. Input order
 * is the dataset's order ({@code zipWithIndex}).
 *
 * <pre>{@code
 * Dataset<Row> docs = spark.read().json("data/*.jsonl");
 * Dataset<Row> dups = SparkDedup.nearDuplicates(docs, NearDedup.builder().optThreshold(0.7).build());
 * dups.write().json("out/duplicates");                 // id, duplicate_of, similarity, stage
 * SparkDedup.dropDuplicates(docs, dups).write().json("out/data");
 * }</pre>
 */
public final class SparkDedup {

    private static final Logger LOG = LoggerFactory.getLogger(SparkDedup.class);

    /** Schema of the duplicates dataset, the rows of {@code duplicates.jsonl}. */
    public static final StructType DUPLICATES_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("duplicate_of", DataTypes.StringType, false),
            DataTypes.createStructField("similarity", DataTypes.DoubleType, false),
            DataTypes.createStructField("stage", DataTypes.StringType, false)));

    private SparkDedup() {}

    /** A document's signature and what the keep policy needs. */
    static final class Sig implements Serializable {
        private static final long serialVersionUID = 1L;
        final long ord;
        final String id;
        final double score;
        final int[] sig;
        final int shingles;
        /** Sorted distinct shingle hashes when candidates are verified by exact Jaccard, else null. */
        final long[] set;

        Sig(long ord, String id, double score, int[] sig, int shingles, long[] set) {
            this.ord = ord;
            this.id = id;
            this.score = score;
            this.sig = sig;
            this.shingles = shingles;
            this.set = set;
        }
    }

    /** Near duplicates of {@code rows} as a dataset of {@link #DUPLICATES_SCHEMA}, in input order. */
    public static Dataset<Row> nearDuplicates(Dataset<Row> rows, NearDedup config) {
        return near(rows, config).duplicates;
    }

    /** Runs a dedup stage and collects its result to the driver. */
    public static DuplicateSet find(Dataset<Row> rows, dev.kiln.data.DedupStage stage) {
        if (stage instanceof NearDedup near) {
            Result r = near(rows, near);
            return new DedupResult(collect(r.duplicates), r.clusterSizes);
        }
        if (stage instanceof ExactDedup exact) {
            Result r = exact(rows, exact);
            return new DedupResult(collect(r.duplicates), r.clusterSizes);
        }
        throw new IllegalArgumentException("stage '" + stage.name() + "' has no Spark implementation");
    }

    /** Exact duplicates of {@code rows} as a dataset of {@link #DUPLICATES_SCHEMA}, in input order. */
    public static Dataset<Row> exactDuplicates(Dataset<Row> rows, ExactDedup config) {
        return exact(rows, config).duplicates;
    }

    /**
     * {@code rows} without the documents listed in {@code duplicates}, in their original order (so
     * that a later "keep first" stage sees the same input order).
     */
    public static Dataset<Row> dropDuplicates(Dataset<Row> rows, Dataset<Row> duplicates) {
        String ord = "__kiln_ordinal";
        StructType schema = rows.schema().add(ord, DataTypes.LongType, false);
        JavaRDD<Row> indexed = rows.javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1.size() + 1];
            for (int i = 0; i < t._1.size(); i++) {
                v[i] = t._1.get(i);
            }
            v[v.length - 1] = t._2;
            return RowFactory.create(v);
        });
        Dataset<Row> withOrd = rows.sparkSession().createDataFrame(indexed, schema);
        Dataset<Row> ids = duplicates.select(duplicates.col("id").as("__kiln_dup_id"));
        return withOrd.join(ids, withOrd.col("id").equalTo(ids.col("__kiln_dup_id")), "left_anti")
                .orderBy(ord)
                .drop(ord);
    }

    private static List<DuplicateSet.Duplicate> collect(Dataset<Row> duplicates) {
        List<DuplicateSet.Duplicate> out = new ArrayList<>();
        for (Row r : duplicates.collectAsList()) {
            out.add(new DuplicateSet.Duplicate(r.getString(0), r.getString(1), r.getDouble(2), r.getString(3)));
        }
        return out;
    }

    private static final class Result {
        final Dataset<Row> duplicates;
        final Map<Integer, Long> clusterSizes;

        Result(Dataset<Row> duplicates, Map<Integer, Long> clusterSizes) {
            this.duplicates = duplicates;
            this.clusterSizes = clusterSizes;
        }
    }

    private static Result near(Dataset<Row> rows, NearDedup config) {
        SparkDocuments.checkSchema(rows.schema());
        SparkSession spark = rows.sparkSession();
        KeepPolicy keep = config.keep();
        String keyColumn = keep.metadataKey() != null
                        && Arrays.asList(rows.schema().fieldNames()).contains(keep.metadataKey())
                ? keep.metadataKey()
                : null;
        // 1. signatures, in input order
        JavaRDD<Sig> sigs = rows.javaRDD()
                .zipWithIndex()
                .mapPartitions(it -> signatures(it, config, keyColumn))
                .persist(StorageLevel.MEMORY_AND_DISK());
        checkUniqueIds(sigs);
        JavaPairRDD<Long, Sig> byOrd = sigs.mapToPair(s -> new Tuple2<>(s.ord, s));
        // 2. explode bands, group by bucket, candidate pairs
        int bands = config.lsh().bands();
        int rowsPerBand = config.lsh().rows();
        int cap = config.maxBucketComparisons();
        JavaPairRDD<Long, Long> candidates = sigs.filter(s -> s.shingles > 0)
                .flatMapToPair(s -> {
                    List<Tuple2<Long, Long>> out = new ArrayList<>(bands);
                    for (int b = 0; b < bands; b++) {
                        out.add(new Tuple2<>(MinHasher.bandKey(s.sig, b, rowsPerBand), s.ord));
                    }
                    return out.iterator();
                })
                .groupByKey()
                .flatMapToPair(bucket -> pairs(bucket._2, cap))
                .distinct();
        // 3. verified edges
        JavaPairRDD<Long, Long> edges = candidates
                .join(byOrd)
                .mapToPair(t -> new Tuple2<>(t._2._1, t._2._2))
                .join(byOrd)
                .filter(t -> verified(config, t._2._1, t._2._2))
                .mapToPair(t -> new Tuple2<>(t._2._1.ord, t._1))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // 4. connected components: (ord, smallest ord of its component)
        JavaPairRDD<Long, Long> labels = components(edges);
        // 5. keep policy: (label, kept ord), ties to the earliest
        JavaPairRDD<Long, Tuple2<Long, Double>> members = labels.mapToPair(t -> new Tuple2<>(t._1, t._2))
                .join(byOrd)
                .mapToPair(t -> new Tuple2<>(t._2._1, new Tuple2<>(t._1, t._2._2.score)));
        JavaPairRDD<Long, Long> kept =
                members.reduceByKey(SparkDedup::better).mapToPair(t -> new Tuple2<>(t._1, t._2._1));
        Map<Integer, Long> clusterSizes = new TreeMap<>();
        for (Map.Entry<Long, Long> e : labels.values().countByValue().entrySet()) {
            clusterSizes.merge(e.getValue().intValue(), 1L, Long::sum);
        }
        // (ord, kept) for every removed document
        JavaPairRDD<Long, Long> removed = labels.mapToPair(t -> new Tuple2<>(t._2, t._1))
                .join(kept)
                .filter(t -> !t._2._1.equals(t._2._2))
                .mapToPair(t -> new Tuple2<>(t._2._1, t._2._2));
        JavaRDD<Row> out = removed.join(byOrd)
                .mapToPair(t -> new Tuple2<>(t._2._1, t._2._2))
                .join(byOrd)
                .mapToPair(t -> {
                    Sig dup = t._2._1;
                    Sig keptSig = t._2._2;
                    double sim = dup.set != null
                            ? MinHasher.jaccard(dup.set, keptSig.set)
                            : (double) equalCount(dup.sig, keptSig.sig) / dup.sig.length;
                    return new Tuple2<>(dup.ord, RowFactory.create(dup.id, keptSig.id, sim, NearDedup.NAME));
                })
                .sortByKey()
                .values();
        LOG.info(
                "near-dedup on Spark: {} clusters",
                clusterSizes.values().stream().mapToLong(Long::longValue).sum());
        return new Result(spark.createDataFrame(out, DUPLICATES_SCHEMA), clusterSizes);
    }

    private static Iterator<Sig> signatures(Iterator<Tuple2<Row, Long>> it, NearDedup config, String keyColumn) {
        MinHasher hasher = config.hasher();
        KeepPolicy keep = config.keep();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Sig next() {
                Tuple2<Row, Long> t = it.next();
                Row r = t._1;
                String id = r.getAs(SparkDocuments.ID);
                String content = r.getAs(SparkDocuments.CONTENT);
                content = content == null ? "" : content;
                int[] sig = hasher.newSignature();
                long[] set = null;
                int n;
                if (config.needsShingleSets()) {
                    set = hasher.signatureAndShingleSet(content, sig);
                    n = set.length;
                } else {
                    n = hasher.signature(content, sig, null);
                }
                double score = keep.isFirst() ? 0 : keep.score(content, keyColumn == null ? null : r.getAs(keyColumn));
                return new Sig(t._2, id, score, sig, n, set);
            }
        };
    }

    private static void checkUniqueIds(JavaRDD<Sig> sigs) {
        List<Tuple2<String, Iterable<Long>>> dup = sigs.mapToPair(s -> new Tuple2<>(s.id, s.ord))
                .groupByKey()
                .filter(t -> t._2.iterator().hasNext() && count(t._2) > 1)
                .take(1);
        if (!dup.isEmpty()) {
            List<Long> ords = new ArrayList<>();
            dup.get(0)._2.forEach(ords::add);
            ords.sort(null);
            throw new IllegalArgumentException("near-dedup: duplicate document id '" + dup.get(0)._1 + "' (documents #"
                    + ords.get(0) + " and #" + ords.get(1) + " in input order); ids must be unique");
        }
    }

    private static int count(Iterable<Long> it) {
        int n = 0;
        for (Long ignored : it) {
            n++;
        }
        return n;
    }

    /** Pairs (earlier, later) of a bucket: each member with at most {@code cap} earlier members. */
    static Iterator<Tuple2<Long, Long>> pairs(Iterable<Long> bucket, int cap) {
        List<Long> m = new ArrayList<>();
        bucket.forEach(m::add);
        if (m.size() < 2) {
            return java.util.Collections.emptyIterator();
        }
        long[] a = new long[m.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = m.get(i);
        }
        Arrays.sort(a);
        List<Tuple2<Long, Long>> out = new ArrayList<>();
        for (int j = 1; j < a.length; j++) {
            for (int i = 0, lim = Math.min(j, cap); i < lim; i++) {
                out.add(new Tuple2<>(a[i], a[j]));
            }
        }
        return out.iterator();
    }

    /** A candidate pair decided as the local engine decides it ({@link NearDedup#decide}). */
    static boolean verified(NearDedup config, Sig a, Sig b) {
        NearDedup.Decision d = config.decide(equalCount(a.sig, b.sig));
        if (d == NearDedup.Decision.EXACT) {
            return MinHasher.jaccard(a.set, b.set) >= config.threshold();
        }
        return d == NearDedup.Decision.JOIN;
    }

    static int equalCount(int[] a, int[] b) {
        int eq = 0;
        for (int i = 0; i < a.length; i++) {
            eq += a[i] == b[i] ? 1 : 0;
        }
        return eq;
    }

    private static Tuple2<Long, Double> better(Tuple2<Long, Double> a, Tuple2<Long, Double> b) {
        int c = Double.compare(a._2, b._2);
        if (c != 0) {
            return c > 0 ? a : b;
        }
        return a._1 <= b._1 ? a : b;
    }

    /** Min-label propagation until no label changes. */
    static JavaPairRDD<Long, Long> components(JavaPairRDD<Long, Long> edges) {
        JavaPairRDD<Long, Long> adj = edges.flatMapToPair(
                        e -> List.of(e, new Tuple2<>(e._2, e._1)).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaPairRDD<Long, Long> labels = adj.keys().distinct().mapToPair(v -> new Tuple2<>(v, v));
        for (int iter = 1; ; iter++) {
            JavaPairRDD<Long, Long> msgs = adj.join(labels).mapToPair(t -> new Tuple2<>(t._2._1, t._2._2));
            JavaPairRDD<Long, Long> next =
                    labels.union(msgs).reduceByKey(Math::min).persist(StorageLevel.MEMORY_AND_DISK());
            if (iter % 8 == 0) {
                next.rdd().localCheckpoint(); // cut the lineage of long chains
            }
            long changed =
                    next.join(labels).filter(t -> !t._2._1.equals(t._2._2)).count();
            labels.unpersist(false);
            labels = next;
            if (changed == 0) {
                LOG.debug("connected components converged after {} iterations", iter);
                return labels;
            }
        }
    }

    private static Result exact(Dataset<Row> rows, ExactDedup config) {
        SparkDocuments.checkSchema(rows.schema());
        SparkSession spark = rows.sparkSession();
        ExactDedup.Normalization norm = config.normalization();
        boolean hasHexsha = java.util.Arrays.asList(rows.schema().fieldNames()).contains(ExactDedup.HEXSHA);
        // (hash, (ord, id)); The Stack's hexsha is the key where present, as in ExactDedup#find
        JavaPairRDD<String, Tuple2<Long, String>> hashed = rows.javaRDD()
                .zipWithIndex()
                .mapToPair(t -> {
                    String content = t._1.getAs(SparkDocuments.CONTENT);
                    String id = t._1.getAs(SparkDocuments.ID);
                    Object hexsha = hasHexsha ? t._1.getAs(ExactDedup.HEXSHA) : null;
                    return new Tuple2<>(
                            ExactDedup.contentHash(content == null ? "" : content, hexsha, norm),
                            new Tuple2<>(t._2, id));
                })
                .persist(StorageLevel.MEMORY_AND_DISK());
        List<Tuple2<String, Long>> idCounts = hashed.mapToPair(t -> new Tuple2<>(t._2._2, 1L))
                .reduceByKey(Long::sum)
                .filter(t -> t._2 > 1)
                .take(1);
        if (!idCounts.isEmpty()) {
            throw new IllegalArgumentException(
                    "exact-dedup: duplicate document id '" + idCounts.get(0)._1 + "'; ids must be unique");
        }
        JavaPairRDD<String, Iterable<Tuple2<Long, String>>> groups = hashed.groupByKey();
        Map<Integer, Long> clusterSizes = new TreeMap<>();
        JavaRDD<Row> out = groups.flatMapToPair(g -> {
                    List<Tuple2<Long, String>> m = new ArrayList<>();
                    g._2.forEach(m::add);
                    m.sort((a, b) -> Long.compare(a._1, b._1));
                    List<Tuple2<Long, Row>> rs = new ArrayList<>();
                    for (int i = 1; i < m.size(); i++) {
                        rs.add(new Tuple2<>(
                                m.get(i)._1, RowFactory.create(m.get(i)._2, m.get(0)._2, 1.0, ExactDedup.NAME)));
                    }
                    return rs.iterator();
                })
                .sortByKey()
                .values();
        for (Map.Entry<Integer, Long> e : groups.mapToPair(g -> {
                    int n = 0;
                    for (Tuple2<Long, String> ignored : g._2) {
                        n++;
                    }
                    return new Tuple2<>(n, 1L);
                })
                .filter(t -> t._1 > 1)
                .reduceByKey(Long::sum)
                .collectAsMap()
                .entrySet()) {
            clusterSizes.put(e.getKey(), e.getValue());
        }
        return new Result(spark.createDataFrame(out, DUPLICATES_SCHEMA), clusterSizes);
    }
}
