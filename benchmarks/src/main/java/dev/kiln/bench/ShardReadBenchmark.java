package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.shard.TokenDataset;
import dev.kiln.tokenize.shard.TokenShardWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Random batch reads from memory-mapped token shards: one op reads {@code batch} random rows of
 * {@code seqLen + 1} int32 tokens. GB/s = ops/s × batch × (seqLen + 1) × 4 bytes (printed at setup).
 * The shards (~200 MB, one token per byte of random ASCII) are written once per trial.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ShardReadBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class ShardReadBenchmark {

    @Param({"2048"})
    int seqLen;

    @Param({"32"})
    int batch;

    @Param({"50000000"})
    long tokens;

    Path dir;
    TokenDataset dataset;
    int[][] rows;
    SplittableRandom rnd = new SplittableRandom(1);

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("kiln-shard-bench");
        // no merges: one token per byte, so writing is fast
        BpeTokenizer tok = BpeTrainer.builder()
                .setVocabSize(256 + 7)
                .optSpecialTokens(SpecialTokens.codeDefaults())
                .build()
                .train(List.of("x"));
        int docLen = 100_000;
        int docs = (int) (tokens / docLen);
        List<Document> documents = new AbstractList<>() {
            @Override
            public Document get(int i) {
                SplittableRandom r = new SplittableRandom(i);
                char[] c = new char[docLen - 1];
                for (int j = 0; j < c.length; j++) {
                    c[j] = (char) ('a' + r.nextInt(26));
                }
                return Document.of("d" + i, new String(c));
            }

            @Override
            public int size() {
                return docs;
            }
        };
        TokenShardWriter.builder()
                .setTokenizer(tok)
                .setOutput(dir)
                .setSeqLen(seqLen)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofMinutes(1)))
                .build()
                .write(documents);
        dataset = TokenDataset.open(dir, "train", tok);
        rows = new int[batch][dataset.rowLength()];
        System.out.printf(
                "%nshards: %d rows of %d tokens; one op reads %d bytes%n",
                dataset.size(), dataset.rowLength(), (long) batch * dataset.rowLength() * 4);
    }

    @Benchmark
    public int[][] randomBatch() {
        long n = dataset.size();
        for (int i = 0; i < batch; i++) {
            dataset.read(rnd.nextLong(n), rows[i]);
        }
        return rows;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        dataset.close();
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
