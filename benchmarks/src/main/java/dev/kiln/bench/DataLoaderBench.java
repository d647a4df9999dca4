package dev.kiln.bench;

import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.InMemorySequences;
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
 * Batch assembly of {@link DataLoader} (seeded random rows, prefetch on a background thread):
 * batches per second; multiply by {@code batch · (seqLen + 1) · 4} bytes for GB/s of tokens.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar DataLoaderBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DataLoaderBench {

    @Param({"1024"})
    int seqLen;

    @Param({"16"})
    int batch;

    DataLoader loader;

    @Setup(Level.Trial)
    public void setup() {
        int[] tokens = new int[64 << 20 >> 2]; // 64 MB of tokens
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(50_000);
        }
        loader = new DataLoader(new InMemorySequences(tokens, seqLen), batch, 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loader.close();
    }

    @Benchmark
    public int nextBatch() {
        DataLoader.Batch b = loader.next();
        return b.inputs()[0] + b.targets()[b.targets().length - 1];
    }
}
