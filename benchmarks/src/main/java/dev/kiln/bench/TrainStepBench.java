package dev.kiln.bench;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Kiln side of {@code benchmarks/compare/train-step.sh}: the same model, batch and data shape as
 * {@code torch_tiny_gpt.py} (B=8, T=128, d=128, 4 heads, 2 layers, vocab 256, tied embeddings,
 * AdamW lr 1e-3 betas (0.9, 0.95) wd 0.1, global-norm clipping at 1.0, 1 intra-op + 1 inter-op
 * thread), 20 warm-up and 100 timed steps through {@link Trainer}. Prints one JSON line: median of
 * 5 blocks of 20 steps, the last loss, and the model scope's native-array count at the first and
 * last step (memory flatness). The architecture preset is {@code gpt2} (the default) or {@code
 * llama} (2 key/value heads, SwiGLU hidden 384, as {@code benchmarks/compare/torch_tiny_llama.py}).
 * With {@code --grad-accum N} (N micro-batches of 8 per step) at least 10 steps suffice and the
 * per-step time is the median after 2 warm-up steps. The last line also gives the process's
 * resident high-water mark ({@code VmHWM}) and the resident size before the first step, whose
 * difference is the training's peak native memory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.TrainStepBench [--steps 120] [--arch gpt2|llama]
 *      [--d-model 128] [--grad-accum 1] [--mfu] [--rss-every 100]
 * </pre>
 */
@Command(
        name = "TrainStepBench",
        mixinStandardHelpOptions = true,
        description = "Median training-step time of the torch_tiny_gpt.py model through Trainer (one JSON line).")
public final class TrainStepBench implements Callable<Integer> {

    @Option(
            names = "--steps",
            defaultValue = "120",
            description = "total steps: >= 40 (20 warm-up, then blocks of 20), >= 10 with --grad-accum (default:"
                    + " ${DEFAULT-VALUE}; e.g. 1020 for the memory check)")
    int total;

    @Mixin
    BenchModel model;

    @Option(names = "--grad-accum", description = "micro-batches of 8 per step (default: 1)")
    Integer gradAccum;

    @Option(names = "--mfu", description = "also MFU against MatmulPeak at the step's shapes")
    boolean mfu;

    @Option(
            names = "--rss-every",
            defaultValue = "100",
            description = "resident-size curve: every N steps (default: ${DEFAULT-VALUE})")
    int rssEvery;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        BenchCli.run(new TrainStepBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (total < (gradAccum != null ? 10 : 40)) {
            throw BenchCli.bad(
                    spec,
                    "--steps must be >= %d (%s), got %d",
                    gradAccum != null ? 10 : 40,
                    gradAccum != null ? "with --grad-accum" : "20 warm-up steps, then blocks of 20",
                    total);
        }
        if (rssEvery < 1) {
            throw BenchCli.bad(spec, "--rss-every must be >= 1, got %d", rssEvery);
        }
        int v = 256;
        int t = 128;
        int[] data = new int[200_000];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(v);
        }
        GptConfig cfg = model.config();
        int dModel = model.dModel;
        int accum = gradAccum == null ? 1 : gradAccum;
        long rssBefore;
        List<Double> ms = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] lastCpu = {threads.getCurrentThreadCpuTime()};
        List<Integer> arrays = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        double[] loss = new double[1];
        try (Trainer trainer = Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(new ByteTokenizer(List.of()))
                .setTrainData(new InMemorySequences(data, t))
                .optBatchSize(8)
                .optGradAccum(accum)
                .optMaxSteps(total)
                .optLearningRate(1e-3)
                .optMinLearningRate(1e-3)
                .optWarmupSteps(0)
                .optWeightDecay(0.1)
                .optDecayEmbeddings(true)
                .optGradClip(1.0)
                .optEvalInterval(0)
                .optThreads(1, 1)
                .optMetricsSink(m -> {
                    ms.add(m.stepMillis());
                    long now = threads.getCurrentThreadCpuTime();
                    cpu.add((now - lastCpu[0]) / 1e6);
                    lastCpu[0] = now;
                    arrays.add(m.nativeArrays());
                    rss.add(m.residentBytes());
                    loss[0] = m.loss();
                })
                .build()) {
            rssBefore = status("VmRSS"); // engine loaded, model built: what the steps add comes next
            trainer.fit();
        }
        List<Double> blocks = new ArrayList<>();
        int warm = 20;
        int blocksN = Math.min(5, (total - warm) / 20);
        for (int j = 0; j < blocksN; j++) {
            double sum = 0;
            for (int i = warm + 20 * j; i < warm + 20 * (j + 1); i++) {
                sum += ms.get(i);
            }
            blocks.add(sum / 20);
        }
        blocks.sort(Double::compare);
        if (blocks.isEmpty()) { // short runs (grad_accum): median of the steps after 2 warm-up steps
            List<Double> after = new ArrayList<>(ms.subList(Math.min(2, ms.size()), ms.size()));
            after.sort(Double::compare);
            blocks.add(after.get(after.size() / 2));
        }
        List<Double> cpuTimed = new ArrayList<>(cpu.subList(Math.min(warm, cpu.size()), cpu.size()));
        cpuTimed.sort(Double::compare);
        double cpuMedian = cpuTimed.isEmpty() ? Double.NaN : cpuTimed.get(cpuTimed.size() / 2);
        double median = blocks.isEmpty() ? Double.NaN : blocks.get(blocks.size() / 2);
        // Whole-run mean over the last 100 steps, for long runs.
        double tail = 0;
        int n = Math.min(100, ms.size());
        for (int i = ms.size() - n; i < ms.size(); i++) {
            tail += ms.get(i);
        }
        StringBuilder curve = new StringBuilder();
        int every = rssEvery;
        for (int i = 10; i < rss.size(); i += every) {
            curve.append(curve.length() == 0 ? "" : ", ").append(rss.get(i) >> 20);
        }
        System.out.println("{\"rss_mb_every\": " + every + ", \"rss_mb\": [" + curve + "]}");
        if (mfu) {
            // MFU against the measured matrix-product peak of the same libtorch (one thread, as the step)
            String peakLine = MatmulPeak.peakJson(dModel, 8 * t, 1);
            double peak = Double.parseDouble(peakLine.replaceAll(".*\"peak_gflops\": ([0-9.]+).*", "$1")) * 1e9;
            double achieved = cfg.flopsPerToken(t) * 8 * t * accum / (median / 1000);
            System.out.println(String.format(
                    Locale.ROOT,
                    "{\"matmul\": %s, \"model_flops_per_s\": %.3e, \"mfu_vs_measured_peak\": %.3f}",
                    peakLine,
                    achieved,
                    achieved / peak));
        }
        System.out.println(String.format(
                Locale.ROOT,
                "{\"kiln\": \"djl-0.36/libtorch-2.7.1\", \"arch\": \"" + model.arch.wireName()
                        + "\", \"ms_per_step\": %.2f, \"loss\": %.4f, \"steps\": %d,"
                        + " \"native_arrays_first\": %d, \"native_arrays_last\": %d, \"rss_mb_step10\": %d,"
                        + " \"rss_mb_last\": %d, \"mean_ms_last100\": %.2f, \"thread_cpu_ms_per_step\": %.2f,"
                        + " \"d_model\": %d, \"grad_accum\": %d, \"micro_batch\": 8, \"rss_mb_before\": %d,"
                        + " \"vm_hwm_mb\": %d, \"peak_native_mb\": %d}",
                median,
                loss[0],
                total,
                arrays.get(0),
                arrays.get(arrays.size() - 1),
                rss.get(Math.min(10, rss.size() - 1)) >> 20,
                rss.get(rss.size() - 1) >> 20,
                tail / n,
                cpuMedian,
                dModel,
                accum,
                rssBefore >> 20,
                status("VmHWM") >> 20,
                (status("VmHWM") - rssBefore) >> 20));
        return 0;
    }

    /** A size line of /proc/self/status in bytes (Linux), 0 elsewhere. */
    static long status(String key) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
