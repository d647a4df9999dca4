package dev.kiln.bench;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Kiln side of {@code benchmarks/compare/train-step.sh}: the same model, batch and data shape as
 * {@code torch_tiny_gpt.py} (B=8, T=128, d=128, 4 heads, 2 layers, vocab 256, tied embeddings,
 * AdamW lr 1e-3 betas (0.9, 0.95) wd 0.1, global-norm clipping at 1.0, 1 intra-op + 1 inter-op
 * thread), 20 warm-up and 100 timed steps through {@link Trainer}. Prints one JSON line: median of
 * 5 blocks of 20 steps, the last loss, and the model scope's native-array count at the first and
 * last step (memory flatness). Arguments: total steps (default 120; e.g. 1020 for the memory check)
 * and the architecture preset ({@code gpt2}, the default, or {@code llama}: 2 key/value heads,
 * SwiGLU hidden 384, as {@code benchmarks/compare/torch_tiny_llama.py}).
 *
 * <p>System properties: {@code kiln.bench.dModel} (default 128), {@code kiln.bench.mfu=true} (MFU
 * against {@link MatmulPeak} at the step's shapes), {@code kiln.bench.gradAccum=N} (N micro-batches of
 * 8 per step; when it is given, at least 10 steps suffice and the per-step time is the median after 2 warm-up
 * steps). The last line also gives the process's resident high-water mark ({@code VmHWM}) and the
 * resident size before the first step, whose difference is the training's peak native memory.
 */
public final class TrainStepBench {

    public static void main(String[] args) throws Exception {
        int total = 120;
        if (args.length > 0) {
            try {
                total = Integer.parseInt(args[0]);
            } catch (NumberFormatException e) {
                total = -1;
            }
            if (total < (System.getProperty("kiln.bench.gradAccum") != null ? 10 : 40)) {
                System.err.println("TrainStepBench: total steps must be a whole number >= 40 (20 warm-up steps, then"
                        + " blocks of 20), got '" + args[0] + "'");
                System.exit(2);
            }
        }
        int v = 256;
        int t = 128;
        int[] data = new int[200_000];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(v);
        }
        String arch = args.length > 1 ? args[1] : "gpt2";
        int dModel = Integer.getInteger("kiln.bench.dModel", 128);
        GptConfig.Builder cb = GptConfig.builder()
                .optArch(arch)
                .setVocabSize(v)
                .setContextLength(t)
                .optDModel(dModel)
                .optHeads(dModel / 32)
                .optLayers(2);
        if (arch.equals("llama")) {
            cb.optKvHeads(Math.max(1, dModel / 64)); // 2 at d=128, as benchmarks/compare/torch_tiny_llama.py
        }
        GptConfig cfg = cb.build();
        int accum = Integer.getInteger("kiln.bench.gradAccum", 1);
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
        int every = Integer.getInteger("kiln.bench.rssEvery", 100);
        for (int i = 10; i < rss.size(); i += every) {
            curve.append(curve.length() == 0 ? "" : ", ").append(rss.get(i) >> 20);
        }
        System.out.println("{\"rss_mb_every\": " + every + ", \"rss_mb\": [" + curve + "]}");
        if (Boolean.getBoolean("kiln.bench.mfu")) {
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
                "{\"kiln\": \"djl-0.36/libtorch-2.7.1\", \"arch\": \"" + arch
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
