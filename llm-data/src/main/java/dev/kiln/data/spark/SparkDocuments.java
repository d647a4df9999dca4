package dev.kiln.data.spark;

import dev.kiln.core.Document;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link Document}s as Spark rows: columns {@code id} and {@code content} (required), {@code
 * path}, {@code language}, {@code licenses} (array of strings) when present, and every other
 * column as a metadata field of the same name.
 *
 * <pre>{@code
 * Dataset<Row> rows = spark.read().json("data/part-*.jsonl");   // id, content, ..., stars
 * Document d = SparkDocuments.toDocument(rows.first());
 * }</pre>
 */
public final class SparkDocuments {

    /** Column of {@link dev.kiln.core.Document#id()} (string, required). */
    public static final String ID = "id";
    /** Column of {@link dev.kiln.core.Document#content()} (string, required). */
    public static final String CONTENT = "content";
    /** Column of {@link dev.kiln.core.Document#path()} (string, optional). */
    public static final String PATH = "path";
    /** Column of {@link dev.kiln.core.Document#language()} (string, optional). */
    public static final String LANGUAGE = "language";
    /** Column of {@link dev.kiln.core.Document#licenses()} (array of strings, optional). */
    public static final String LICENSES = "licenses";

    private static final Set<String> FIXED = Set.of(ID, CONTENT, PATH, LANGUAGE, LICENSES);

    private SparkDocuments() {}

    /** Fails unless the schema has string columns {@code id} and {@code content}. */
    public static void checkSchema(StructType schema) {
        for (String c : new String[] {ID, CONTENT}) {
            if (!Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("documents need a '" + c + "' column; the dataset has "
                        + String.join(", ", schema.fieldNames()));
            }
        }
    }

    /** The document of a row. */
    public static Document toDocument(Row row) {
        StructType schema = row.schema();
        String id = row.getAs(ID);
        String content = row.getAs(CONTENT);
        String path = has(schema, PATH) ? row.getAs(PATH) : "";
        String language = has(schema, LANGUAGE) ? row.getAs(LANGUAGE) : null;
        List<String> licenses = List.of();
        if (has(schema, LICENSES) && row.getAs(LICENSES) != null) {
            licenses = toList(row.getAs(LICENSES));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (StructField f : schema.fields()) {
            if (!FIXED.contains(f.name())) {
                Object v = row.getAs(f.name());
                if (v != null) {
                    metadata.put(f.name(), fromSpark(v));
                }
            }
        }
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a row has no id: " + row);
        }
        return new Document(id, content == null ? "" : content, path, language, licenses, metadata);
    }

    /** A row of {@code schema} from a document; metadata without a column is left out. */
    public static Row toRow(Document doc, StructType schema) {
        Object[] values = new Object[schema.size()];
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            String name = fields[i].name();
            switch (name) {
                case ID:
                    values[i] = doc.id();
                    break;
                case CONTENT:
                    values[i] = doc.content();
                    break;
                case PATH:
                    values[i] = doc.path();
                    break;
                case LANGUAGE:
                    values[i] = doc.language();
                    break;
                case LICENSES:
                    values[i] = CollectionConverters.asScala(doc.licenses()).toSeq();
                    break;
                default:
                    values[i] = toSpark(doc.metadata().get(name), fields[i].dataType());
            }
        }
        return RowFactory.create(values);
    }

    /** The schema of documents whose metadata fields have the given types. */
    public static StructType schema(Map<String, DataType> metadataColumns) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField(ID, DataTypes.StringType, false));
        f.add(DataTypes.createStructField(CONTENT, DataTypes.StringType, false));
        f.add(DataTypes.createStructField(PATH, DataTypes.StringType, true));
        f.add(DataTypes.createStructField(LANGUAGE, DataTypes.StringType, true));
        f.add(DataTypes.createStructField(LICENSES, DataTypes.createArrayType(DataTypes.StringType), true));
        metadataColumns.forEach((k, t) -> f.add(DataTypes.createStructField(k, t, true)));
        return DataTypes.createStructType(f);
    }

    /** A dataset of documents (driver-side, for tests and small inputs). */
    public static Dataset<Row> createDataset(
            SparkSession spark, List<Document> docs, Map<String, DataType> metadataColumns, int partitions) {
        StructType schema = schema(metadataColumns);
        List<Row> rows = new ArrayList<>(docs.size());
        for (Document d : docs) {
            rows.add(toRow(d, schema));
        }
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, partitions), schema);
    }

    private static boolean has(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name);
    }

    private static List<String> toList(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof scala.collection.Iterable<?> it) {
            for (Object o : CollectionConverters.asJava(it)) {
                out.add(String.valueOf(o));
            }
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    private static Object fromSpark(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof scala.collection.Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            for (Object o : CollectionConverters.asJava(it)) {
                out.add(fromSpark(o));
            }
            return out;
        }
        if (v instanceof Row r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (StructField f : r.schema().fields()) {
                m.put(f.name(), fromSpark(r.getAs(f.name())));
            }
            return m;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        return String.valueOf(v);
    }

    private static Object toSpark(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (type.equals(DataTypes.LongType) && v instanceof Number n) {
            return n.longValue();
        }
        if (type.equals(DataTypes.IntegerType) && v instanceof Number n) {
            return n.intValue();
        }
        if (type.equals(DataTypes.DoubleType) && v instanceof Number n) {
            return n.doubleValue();
        }
        if (type.equals(DataTypes.StringType)) {
            return String.valueOf(v);
        }
        if (type.equals(DataTypes.BooleanType) && v instanceof Boolean) {
            return v;
        }
        if (type instanceof ArrayType && v instanceof List<?> l) {
            return CollectionConverters.asScala(l).toSeq();
        }
        return null;
    }
}
