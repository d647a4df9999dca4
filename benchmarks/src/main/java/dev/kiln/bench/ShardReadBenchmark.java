package dev.kiln.bench;

import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.shard.TokenDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        BpeTokenizer tok = SyntheticShards.write(dir, tokens, seqLen);
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
