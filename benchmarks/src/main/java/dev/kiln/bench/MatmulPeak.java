package dev.kiln.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.kiln.train.Devices;
import dev.kiln.train.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The physical limit MFU is measured against: float32 matrix-product throughput of the same
 * libtorch, through DJL, at the shapes of a training step of the llama preset ({@code [B·T, d]}
 * rows times each projection: fused QKV, attention output, SwiGLU gate+up, down), forward shapes
 * only. Prints one JSON line with GFLOP/s per shape and the best, which is the peak {@code
 * TrainStepBench} divides by.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.MatmulPeak [--d-model 256] [--rows 1024] [--threads 1]
 * </pre>
 */
@Command(
        name = "MatmulPeak",
        mixinStandardHelpOptions = true,
        description = "float32 matrix-product GFLOP/s of libtorch at the llama preset's training-step shapes.")
public final class MatmulPeak implements Callable<Integer> {

    @Option(
            names = "--d-model",
            defaultValue = "256",
            description = "d_model of the shapes (default: ${DEFAULT-VALUE})")
    int dModel;

    @Option(names = "--rows", defaultValue = "1024", description = "rows B·T (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        BenchCli.run(new MatmulPeak(), args);
    }

    @Override
    public Integer call() {
        if (dModel < 1 || rows < 1 || threads < 1) {
            throw BenchCli.bad(
                    spec, "--d-model, --rows and --threads must be >= 1; got %d, %d, %d", dModel, rows, threads);
        }
        System.out.println(peakJson(dModel, rows, threads));
        return 0;
    }

    /** The JSON line; {@code "peak_gflops"} is the best of the shapes. */
    static String peakJson(int d, int rows, int threads) {
        Devices.setThreads(threads, 1);
        GptConfig c = GptConfig.builder()
                .setVocabSize(8)
                .setContextLength(8)
                .optDModel(d)
                .optHeads(Math.max(1, d / 32))
                .optKvHeads(Math.max(1, d / 64))
                .build();
        int[][] shapes = {{c.qkvWidth(), d}, {d, d}, {2 * c.mlpWidth(), d}, {d, c.mlpWidth()}};
        List<String> parts = new ArrayList<>();
        double best = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] s : shapes) {
                NDArray x = m.randomNormal(new Shape(rows, s[1]), DataType.FLOAT32);
                NDArray w = m.randomNormal(new Shape(s[0], s[1]), DataType.FLOAT32);
                double flops = 2.0 * rows * s[0] * s[1];
                for (int i = 0; i < 20; i++) { // warm-up
                    Linear.linear(x, w).head().close();
                }
                List<Double> gf = new ArrayList<>();
                for (int r = 0; r < 7; r++) {
                    int n = 30;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        Linear.linear(x, w).head().close();
                    }
                    gf.add(flops * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
                }
                gf.sort(Double::compare);
                double median = gf.get(gf.size() / 2);
                best = Math.max(best, median);
                parts.add(String.format(Locale.ROOT, "\"%dx%dx%d\": %.2f", rows, s[1], s[0], median));
            }
        }
        return String.format(
                Locale.ROOT,
                "{\"d_model\": %d, \"threads\": %d, \"gflops\": {%s}, \"peak_gflops\": %.2f}",
                d,
                threads,
                String.join(", ", parts),
                best);
    }
}
