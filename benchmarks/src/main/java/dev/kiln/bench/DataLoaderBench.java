package dev.kiln.bench;

import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.data.ShardSequences;
import dev.kiln.train.data.TokenSequences;
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
 * Batch assembly of {@link DataLoader} (seeded random rows, prefetch on a background thread) over
 * memory-mapped token shards ({@code source=shards}: ~50 M tokens written once per trial, as
 * training reads them) or an in-memory array ({@code source=memory}): batches per second; GB/s of
 * tokens = ops/s × {@code batch · (seqLen + 1) · 4} bytes (printed at setup). Run: {@code java
 * -jar benchmarks/target/benchmarks.jar DataLoaderBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class DataLoaderBench {

    @Param({"1024"})
    int seqLen;

    @Param({"16"})
    int batch;

    @Param({"shards", "memory"})
    String source;

    Path dir;
    ShardSequences shards;
    DataLoader loader;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        TokenSequences seqs;
        if (source.equals("shards")) {
            dir = Files.createTempDirectory("kiln-loader-bench");
            SyntheticShards.write(dir, 50_000_000L, seqLen);
            shards = ShardSequences.open(dir, "train", null);
            seqs = shards;
        } else {
            int[] tokens = new int[64 << 20 >> 2]; // 64 MB of tokens
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = r.nextInt(50_000);
            }
            seqs = new InMemorySequences(tokens, seqLen);
        }
        loader = new DataLoader(seqs, batch, 7);
        System.out.printf(
                "%n%s: %d rows; one op delivers %d bytes of tokens%n",
                source, seqs.size(), (long) batch * (seqLen + 1) * 4);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        loader.close();
        if (shards != null) {
            shards.close();
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Benchmark
    public int nextBatch() {
        DataLoader.Batch b = loader.next();
        return b.inputs()[0] + b.targets()[b.targets().length - 1];
    }
}
