package dev.kiln.data.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.DocumentTransform;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.Verdict;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.KeepPolicy;
import dev.kiln.data.dedup.NearDedup;
import dev.kiln.data.dedup.NearDedupTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark engine in local[2] against the local engine on the same input. */
class SparkEngineTest {

    static SparkSession spark;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .appName("kiln-spark-test")
                .master("local[2]")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> dataset(List<Document> docs) {
        return SparkDocuments.createDataset(spark, docs, Map.of("stars", DataTypes.LongType), 3);
    }

    @Test
    void nearDedupKeepsExactlyTheIdsOfTheLocalEngine() throws Exception {
        List<Document> docs = new ArrayList<>(NearDedupTest.corpus(100, 8));
        // a short, an empty and a no-word document go through both engines too
        docs.add(Document.of("short-1", "int x").withMetadata("stars", 1L));
        docs.add(Document.of("short-2", "int x;").withMetadata("stars", 5L));
        docs.add(Document.of("empty", ""));
        Dataset<Row> rows = dataset(docs).cache();
        for (KeepPolicy keep : List.of(KeepPolicy.FIRST, KeepPolicy.largest("stars"))) {
            NearDedup near = NearDedup.builder().optKeep(keep).build();
            DuplicateSet local = near.find(docs, work);
            // the Dataset API, and the DedupStage adapter Corpus and the CLI use (JSONL spill)
            DuplicateSet onSpark = keep.isFirst()
                    ? SparkDedup.find(rows, near)
                    : SparkDedupStage.of(near).find(docs, work.resolve("spill"));
            assertThat(local.duplicates()).hasSizeGreaterThan(40);
            assertThat(onSpark.duplicates()).as("keep=" + keep).isEqualTo(local.duplicates());
            assertThat(onSpark.clusterSizes()).isEqualTo(local.clusterSizes());
            // the kept rows are the same ids, in input order
            List<Row> dupRows = onSpark.duplicates().stream()
                    .map(d ->
                            org.apache.spark.sql.RowFactory.create(d.id(), d.duplicateOf(), d.similarity(), d.stage()))
                    .collect(Collectors.toList());
            Dataset<Row> dups = spark.createDataFrame(dupRows, SparkDedup.DUPLICATES_SCHEMA);
            List<String> kept = SparkDedup.dropDuplicates(rows, dups).select("id").collectAsList().stream()
                    .map(r -> r.getString(0))
                    .collect(Collectors.toList());
            List<String> keptLocal = docs.stream()
                    .map(Document::id)
                    .filter(id -> !local.isDuplicate(id))
                    .collect(Collectors.toList());
            assertThat(kept).isEqualTo(keptLocal);
        }
    }

    @Test
    void exactDedupAndDuplicateIds() throws Exception {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            docs.add(Document.of("e" + i, "class C" + (i % 7) + " {}" + (i % 2 == 0 ? "" : "  ")));
        }
        ExactDedup ws = ExactDedup.builder()
                .optNormalization(ExactDedup.Normalization.WHITESPACE)
                .build();
        DuplicateSet local = ws.find(docs, work);
        DuplicateSet onSpark = SparkDedup.find(dataset(docs), ws);
        assertThat(onSpark.duplicates()).hasSize(53).isEqualTo(local.duplicates());
        assertThat(onSpark.clusterSizes()).isEqualTo(local.clusterSizes());

        List<Document> clash = List.of(Document.of("a", "x y z"), Document.of("b", "p"), Document.of("a", "q"));
        assertThatThrownBy(() ->
                        SparkDedup.find(dataset(clash), NearDedup.builder().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate document id 'a'");
    }

    @Test
    void perDocumentStagesRunInPartitions() {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            docs.add(Document.of("d" + i, (i % 4 == 0 ? "TODO drop me " : "keep ") + i)
                    .withMetadata("stars", (long) i));
        }
        DocumentFilter noTodo =
                DocumentFilter.of("no-todo", d -> d.content().contains("TODO") ? Verdict.drop("todo") : Verdict.KEEP);
        DocumentTransform upper = DocumentTransform.of(
                "upper", d -> d.withContent(d.content().toUpperCase()).withMetadata("stars", 1000L));
        List<Row> out =
                SparkPipeline.apply(dataset(docs), List.of(noTodo, upper)).collectAsList();
        assertThat(out).hasSize(30);
        assertThat(out).allSatisfy(r -> {
            assertThat(r.<String>getAs("content")).startsWith("KEEP ");
            assertThat(r.<Long>getAs("stars")).isEqualTo(1000L);
        });
        assertThatThrownBy(() -> SparkPipeline.apply(
                        dataset(docs), List.of(NearDedup.builder().build())))
                .hasMessageContaining("SparkDedup");
    }
}
