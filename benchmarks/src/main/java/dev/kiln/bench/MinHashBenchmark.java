package dev.kiln.bench;

import dev.kiln.bench.dedup.NearDupCorpus;
import dev.kiln.data.dedup.MinHasher;
import java.io.IOException;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MinHash signatures per second on one core, over 200 real JDK source files (about 2.8 MB).
 * MB/s per core = signatures/s × {@link #bytesPerDoc} / 1e6 (printed at setup).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar MinHashBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class MinHashBenchmark {

    @Param({"256"})
    public int permutations;

    private MinHasher hasher;
    private String[] docs;
    private int[] sig;
    private int next;
    /** Average document size in chars. */
    public double bytesPerDoc;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        hasher = MinHasher.of(permutations, 5, 42, 100_000);
        sig = hasher.newSignature();
        List<NearDupCorpus.Doc> corpus = NearDupCorpus.build(NearDupCorpus.jdkSrcZip(), 200, 0, 7);
        docs = corpus.stream().map(NearDupCorpus.Doc::content).toArray(String[]::new);
        long chars = 0;
        for (String d : docs) {
            chars += d.length();
        }
        bytesPerDoc = (double) chars / docs.length;
        System.out.printf(
                "%n%d docs, %.0f chars per doc: MB/s per core = signatures/s x %.4f%n",
                docs.length, bytesPerDoc, bytesPerDoc / 1e6);
    }

    /** One document's signature. */
    @Benchmark
    public int signature() {
        String d = docs[next];
        next = next + 1 == docs.length ? 0 : next + 1;
        hasher.signature(d, sig, null);
        return sig[0];
    }
}
