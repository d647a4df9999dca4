package dev.kiln.examples;

import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.NearDedup;
import dev.kiln.data.spark.SparkDedup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job that removes exact and near duplicates from a JSONL dataset (rows with {@code id},
 * {@code content} and any metadata columns) and writes the kept rows and {@code duplicates}. See
 * {@code llm-data/SPARK.md} for spark-submit and Databricks.
 *
 * <pre>
 * spark-submit --class dev.kiln.examples.SparkDedupJob examples/target/kiln-spark-job.jar \
 *     INPUT_GLOB OUTPUT_DIR [threshold]
 * </pre>
 */
public final class SparkDedupJob {

    private SparkDedupJob() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SparkDedupJob INPUT_GLOB OUTPUT_DIR [threshold]");
            System.exit(2);
        }
        double threshold = args.length > 2 ? Double.parseDouble(args[2]) : 0.7;
        SparkSession spark = SparkSession.builder().appName("kiln-dedup").getOrCreate();
        try {
            Dataset<Row> docs = spark.read().json(args[0]).cache();
            Dataset<Row> exact =
                    SparkDedup.exactDuplicates(docs, ExactDedup.builder().build());
            Dataset<Row> afterExact = SparkDedup.dropDuplicates(docs, exact).cache();
            Dataset<Row> near = SparkDedup.nearDuplicates(
                    afterExact, NearDedup.builder().optThreshold(threshold).build());
            SparkDedup.dropDuplicates(afterExact, near)
                    .write()
                    .mode(SaveMode.Overwrite)
                    .json(args[1] + "/data");
            exact.union(near).write().mode(SaveMode.Overwrite).json(args[1] + "/duplicates");
        } finally {
            spark.stop();
        }
    }
}
