package dev.kiln.bench;

import dev.kiln.core.model.Sampler;
import dev.kiln.core.model.SamplingParams;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * One token drawn by {@link Sampler} from a row of logits the size of the serving benchmark's
 * vocabulary (8,192, Gaussian): a temperature draw (the serving load's 0.8), top-p 0.95 at that
 * temperature, top-k 40 and top-k 4,096 (a quarter of the row or more takes another path), and
 * greedy. A batched decode step of 16 sequences draws 16 of these. To compare with another
 * build's {@code Sampler}, put that build's {@code llm-core} jar first on the class path:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SamplerBenchmark
 * java -cp OTHER/llm-core.jar:benchmarks/target/benchmarks.jar org.openjdk.jmh.Main SamplerBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class SamplerBenchmark {

    @Param({"8192"})
    public int vocab;

    /**
     * σ of the Gaussian logits: 3 is a flat row (at temperature 0.8, top-p 0.95 keeps 260 tokens),
     * 8 a peaked one (11 tokens).
     */
    @Param({"3", "8"})
    public double spread;

    private Sampler sampler;
    private float[] logits;
    private SplittableRandom rng;
    private final SamplingParams temperature = new SamplingParams(0.8, 1, 0, 0);
    private final SamplingParams topP = new SamplingParams(0.8, 0.95, 0, 0);
    private final SamplingParams topK = new SamplingParams(0.8, 1, 40, 0);
    private final SamplingParams topKLarge = new SamplingParams(0.8, 1, 4096, 0);

    @Setup
    public void setup() {
        sampler = new Sampler(vocab);
        logits = new float[vocab];
        SplittableRandom data = new SplittableRandom(1);
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (data.nextGaussian() * spread);
        }
        rng = new SplittableRandom(2);
    }

    @Benchmark
    public int temperature() {
        return sampler.sample(logits, 0, vocab, temperature, rng);
    }

    @Benchmark
    public int topP() {
        return sampler.sample(logits, 0, vocab, topP, rng);
    }

    @Benchmark
    public int topK() {
        return sampler.sample(logits, 0, vocab, topK, rng);
    }

    @Benchmark
    public int topKLarge() {
        return sampler.sample(logits, 0, vocab, topKLarge, rng);
    }

    @Benchmark
    public int greedy() {
        return sampler.sample(logits, 0, vocab, SamplingParams.GREEDY, rng);
    }
}
