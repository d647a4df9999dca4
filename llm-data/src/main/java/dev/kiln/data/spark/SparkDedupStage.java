package dev.kiln.data.spark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.core.Document;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.KeepPolicy;
import dev.kiln.data.dedup.NearDedup;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Runs {@link NearDedup} or {@link ExactDedup} on Spark behind the local {@link DedupStage}
 * contract, so {@code Corpus.dedupe(SparkDedupStage.of(near))} (and {@code llm data dedupe --engine
 * spark}) use the Spark engine. The documents are spilled to a JSONL file in {@code workDir} (id,
 * content and the keep score, not held in memory) and read by the active Spark session, or by a
 * new session that is stopped afterwards ({@link SparkPipeline#session}): on {@code local[*]}
 * (bound to 127.0.0.1), the master given to the builder, or the {@code spark.master} system
 * property. On a cluster, executors cannot see the driver's disk: the spilled rows are read back on
 * the driver and sent to the executors with the job (the driver then holds them in memory), unless
 * {@link Builder#optSharedDir} names a directory every executor sees at the same path.
 *
 * <pre>{@code
 * Corpus.from(Path.of("in.jsonl")).dedupe(SparkDedupStage.of(NearDedup.builder().build())).write(sink);
 * SparkDedupStage onCluster = SparkDedupStage.builder()
 *         .setStage(NearDedup.builder().build())
 *         .optMaster("spark://10.0.0.5:7077")
 *         .optConf("spark.executor.memory", "8g")
 *         .build();
 * }</pre>
 */
public final class SparkDedupStage implements DedupStage {

    private static final long serialVersionUID = 1L;

    private final DedupStage stage;
    private final String master;
    private final TreeMap<String, String> conf;
    private final String sharedDir;

    private SparkDedupStage(Builder b) {
        this.stage = b.stage;
        this.master = b.master;
        this.conf = new TreeMap<>(b.conf);
        this.sharedDir = b.sharedDir;
    }

    /**
     * The Spark engine for a near-dedup or exact-dedup stage, on the active session, or the {@code
     * spark.master} system property, or {@code local[*]}.
     */
    public static SparkDedupStage of(DedupStage stage) {
        return builder().setStage(stage).build();
    }

    /** A builder; {@link Builder#setStage} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The master URL a new session uses when no session is active. */
    public String master() {
        return master != null ? master : System.getProperty("spark.master", "local[*]");
    }

    /** Builder: {@code setStage} is required. */
    public static final class Builder {
        private DedupStage stage;
        private String master;
        private final Map<String, String> conf = new TreeMap<>();
        private String sharedDir;

        private Builder() {}

        /** The near-dedup or exact-dedup stage to run. */
        public Builder setStage(DedupStage stage) {
            if (!(stage instanceof NearDedup) && !(stage instanceof ExactDedup)) {
                throw new IllegalArgumentException("stage '" + (stage == null ? "null" : stage.name())
                        + "' has no Spark implementation; use near-dedup or exact-dedup");
            }
            this.stage = stage;
            return this;
        }

        /** Master URL ({@link SparkPipeline#checkMaster}); default the {@code spark.master} property or {@code local[*]}. */
        public Builder optMaster(String master) {
            this.master = SparkPipeline.checkMaster(master);
            return this;
        }

        /** A Spark setting for a new session, e.g. {@code spark.executor.memory}. */
        public Builder optConf(String key, String value) {
            if (key == null || !key.startsWith("spark.") || value == null) {
                throw new IllegalArgumentException(
                        "Spark settings are spark.* keys with a value, got '" + key + "'='" + value + "'");
            }
            conf.put(key, value);
            return this;
        }

        /**
         * A directory that the driver and every executor see at the same path (NFS, a mounted
         * bucket): the rows are spilled there and read by the executors instead of being sent from
         * the driver's memory.
         */
        public Builder optSharedDir(Path dir) {
            if (dir == null || !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("shared directory '" + dir + "' is not a directory");
            }
            this.sharedDir = dir.toAbsolutePath().toString();
            return this;
        }

        /** The Spark engine for the stage, with the session settings given. */
        public SparkDedupStage build() {
            if (stage == null) {
                throw new IllegalArgumentException("setStage(...) is required");
            }
            return new SparkDedupStage(this);
        }
    }

    @Override
    public String name() {
        return stage.name();
    }

    @Override
    public DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path spillDir = sharedDir != null ? Path.of(sharedDir) : workDir;
        Path input = Files.createTempFile(spillDir, "spark-input-" + stage.name() + "-", ".jsonl");
        KeepPolicy keep = stage instanceof NearDedup near ? near.keep() : KeepPolicy.FIRST;
        String scoreColumn = keep.metadataKey();
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(SparkDocuments.ID, DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(SparkDocuments.CONTENT, DataTypes.StringType, false));
        if (scoreColumn != null) {
            fields.add(DataTypes.createStructField(scoreColumn, DataTypes.DoubleType, true));
        }
        StructType schema = DataTypes.createStructType(fields);
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8);
                JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.setRootValueSeparator(null);
            for (Document d : documents) {
                g.writeStartObject();
                g.writeStringField(SparkDocuments.ID, d.id());
                g.writeStringField(SparkDocuments.CONTENT, d.content());
                if (scoreColumn != null) {
                    double s = keep.score(d);
                    if (Double.isFinite(s)) {
                        g.writeNumberField(scoreColumn, s);
                    }
                }
                g.writeEndObject();
                g.flush();
                w.write('\n');
            }
        }
        boolean own = SparkSession.getActiveSession().isEmpty();
        SparkSession spark = own ? SparkPipeline.session(master(), conf) : SparkSession.active();
        try {
            Dataset<Row> rows;
            if (spark.sparkContext().isLocal() || sharedDir != null) {
                rows = spark.read().schema(schema).json(input.toString());
            } else {
                // executors on other machines cannot read the driver's disk: send the rows with the job
                List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
                rows = spark.read().schema(schema).json(spark.createDataset(lines, Encoders.STRING()));
            }
            return SparkDedup.find(rows, stage);
        } finally {
            if (own) {
                spark.stop();
            }
            Files.deleteIfExists(input);
        }
    }

    @Override
    public String toString() {
        return stage + " on spark (" + master() + ")";
    }
}
