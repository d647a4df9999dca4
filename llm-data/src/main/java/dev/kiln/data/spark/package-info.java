/**
 * The Spark engine: per-document stages on a {@code Dataset<Row>} ({@link
 * dev.kiln.data.spark.SparkPipeline}), exact and near deduplication with the local engine's exact
 * results ({@link dev.kiln.data.spark.SparkDedup}), and {@link dev.kiln.data.spark.SparkDedupStage}
 * to use Spark behind {@code Corpus.dedupe}. Spark is a {@code provided} dependency: these classes
 * need {@code spark-sql_2.13} 4.x on the class path. See {@code llm-data/SPARK.md}.
 *
 * <pre>{@code
 * Dataset<Row> docs = spark.read().json("corpus/*.jsonl");
 * Dataset<Row> dups = SparkDedup.nearDuplicates(docs, NearDedup.builder().build());
 * SparkDedup.dropDuplicates(docs, dups).write().json("out/data");
 * }</pre>
 */
package dev.kiln.data.spark;
