package dev.kiln.data.spark;

import dev.kiln.core.Document;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.DocumentTransform;
import dev.kiln.data.Stage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Runs per-document stages ({@link DocumentFilter}s and {@link DocumentTransform}s) on a Spark
 * {@code Dataset<Row>} of documents (see {@link SparkDocuments}) in {@code mapPartitions}: the
 * stages are serialised once on the driver and deserialised once per partition, so every partition
 * has its own stage instances. Dropped rows are removed; the schema is unchanged (metadata a
 * transform adds without a column is left out).
 *
 * <pre>{@code
 * Dataset<Row> rows = spark.read().json("raw/*.jsonl");
 * Dataset<Row> clean = SparkPipeline.apply(rows, List.of(Stages.create("max-line-length")));
 * Dataset<Row> deduped = SparkDedup.dropDuplicates(clean, SparkDedup.nearDuplicates(clean, NearDedup.builder().build()));
 * }</pre>
 */
public final class SparkPipeline {

    private SparkPipeline() {}

    private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local(\\[(\\*|[1-9]\\d*)(,[1-9]\\d*)?\\])?|spark://[^\\s/,]+(,[^\\s/,]+)*|yarn|k8s://\\S+");

    /**
     * Checks a Spark master URL: {@code local}, {@code local[N]}, {@code local[*]}, {@code
     * spark://HOST:PORT}, {@code yarn} or {@code k8s://...}.
     *
     * @return the URL, trimmed
     * @throws IllegalArgumentException naming the URL when it is none of these
     */
    public static String checkMaster(String master) {
        String m = master == null ? "" : master.trim();
        if (!MASTER.matcher(m).matches()) {
            throw new IllegalArgumentException("unknown Spark master '" + master
                    + "'; use local[*], local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT");
        }
        return m;
    }

    /**
     * A Spark session for Kiln's stages on {@code master}. {@code local[...]} masters bind and
     * advertise 127.0.0.1 only. Any other master gets Kiln's jars (llm-data and llm-core; class
     * directories are packed into a jar) in {@code spark.jars}, so executors, on whatever Java 17+,
     * load the stages' classes from the driver; the driver's address, ports and resources come
     * from {@code conf} or the {@code spark.*} system properties. The Spark UI is off unless
     * {@code conf} turns it on.
     *
     * <pre>{@code
     * SparkSession spark = SparkPipeline.session("spark://10.0.0.5:7077", Map.of("spark.executor.memory", "8g"));
     * Dataset<Row> clean = SparkPipeline.apply(spark.read().json("raw/*.jsonl"), Recipe.defaultRecipe().stages());
     * }</pre>
     */
    public static SparkSession session(String master, Map<String, String> conf) {
        String m = checkMaster(master);
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        SparkSession.Builder b =
                SparkSession.builder().appName("kiln").master(m).config("spark.ui.enabled", "false");
        if (m.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        } else {
            List<String> jars = new ArrayList<>(KilnJars.forExecutors());
            String more = conf.get("spark.jars");
            if (more != null && !more.isBlank()) {
                jars.add(more);
            }
            b.config("spark.jars", String.join(",", jars));
        }
        conf.forEach((k, v) -> {
            if (!k.equals("spark.jars")) {
                b.config(k, v);
            }
        });
        return b.getOrCreate();
    }

    /**
     * Runs the filters and transforms over each partition, each row as a document: dropped rows are
     * removed, transformed rows rewritten.
     *
     * @throws IllegalArgumentException for a dedup stage (it needs the whole corpus: use
     *     {@link SparkDedupStage}) or a stage that is neither a filter nor a transform
     */
    public static Dataset<Row> apply(Dataset<Row> rows, List<? extends Stage> stages) {
        SparkDocuments.checkSchema(rows.schema());
        for (Stage s : stages) {
            if (s instanceof DedupStage) {
                throw new IllegalArgumentException("stage '" + s.name()
                        + "' sees the whole corpus: run it with SparkDedup, not SparkPipeline.apply");
            }
            if (!(s instanceof DocumentFilter) && !(s instanceof DocumentTransform)) {
                throw new IllegalArgumentException("stage '" + s.name() + "' is neither a filter nor a transform");
            }
        }
        byte[] serialized = serialize(new ArrayList<>(stages));
        StructType schema = rows.schema();
        MapPartitionsFunction<Row, Row> fn = it -> new StageIterator(it, deserialize(serialized), schema);
        return rows.mapPartitions(fn, Encoders.row(schema));
    }

    private static final class StageIterator implements Iterator<Row> {
        private final Iterator<Row> in;
        private final List<Stage> stages;
        private final StructType schema;
        private Row next;

        StageIterator(Iterator<Row> in, List<Stage> stages, StructType schema) {
            this.in = in;
            this.stages = stages;
            this.schema = schema;
        }

        @Override
        public boolean hasNext() {
            while (next == null && in.hasNext()) {
                Document d = SparkDocuments.toDocument(in.next());
                for (Stage s : stages) {
                    if (s instanceof DocumentFilter f) {
                        if (!f.test(d).keep()) {
                            d = null;
                            break;
                        }
                    } else {
                        d = ((DocumentTransform) s).apply(d);
                    }
                }
                if (d != null) {
                    next = SparkDocuments.toRow(d, schema);
                }
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            return r;
        }
    }

    static byte[] serialize(Object o) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("a stage is not serializable: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Stage> deserialize(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b)) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                ClassLoader cl = Thread.currentThread().getContextClassLoader();
                try {
                    return Class.forName(desc.getName(), false, cl != null ? cl : SparkPipeline.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return (List<Stage>) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a stage class is missing on the executor: " + e.getMessage(), e);
        }
    }
}
