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
import org.apache.spark.sql.Dataset;
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
 * new session that is stopped afterwards: {@code local[*]} bound to 127.0.0.1, or the cluster named
 * by the {@code spark.master} system property (and other {@code spark.*} properties).
 *
 * <pre>{@code
 * Corpus.from(Path.of("in.jsonl")).dedupe(SparkDedupStage.of(NearDedup.builder().build())).write(sink);
 * }</pre>
 */
public final class SparkDedupStage implements DedupStage {

    private static final long serialVersionUID = 1L;

    private final DedupStage stage;

    private SparkDedupStage(DedupStage stage) {
        this.stage = stage;
    }

    /** The Spark engine for a near-dedup or exact-dedup stage. */
    public static SparkDedupStage of(DedupStage stage) {
        if (stage instanceof NearDedup || stage instanceof ExactDedup) {
            return new SparkDedupStage(stage);
        }
        throw new IllegalArgumentException("stage '" + stage.name() + "' has no Spark implementation");
    }

    @Override
    public String name() {
        return stage.name();
    }

    @Override
    public DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path input = workDir.resolve("spark-input-" + stage.name() + ".jsonl");
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
        SparkSession spark = own ? localSession() : SparkSession.active();
        try {
            Dataset<Row> rows = spark.read().schema(schema).json(input.toString());
            return SparkDedup.find(rows, stage);
        } finally {
            if (own) {
                spark.stop();
            }
            Files.deleteIfExists(input);
        }
    }

    private static SparkSession localSession() {
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        SparkSession.Builder b = SparkSession.builder().appName("kiln-dedup");
        if (System.getProperty("spark.master") == null) {
            // embedded local Spark: loopback only, no UI
            b.master("local[*]")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }

    @Override
    public String toString() {
        return stage + " on spark";
    }
}
