package dev.kiln.bench;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.Devices;
import dev.kiln.train.ModelDir;
import dev.kiln.train.generate.GptLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The cost of one batched decode step of a real checkpoint, without the server: {@code B} sessions
 * (the load test's prompts, temperature 0.8 by default, seeds 0..B-1) decode {@code --tokens} tokens
 * each through {@link GptLanguageModel#step}, in rounds that alternate the batch sizes; prints the
 * median of the single decode steps' times (the prefill step excluded; robust to bursts of load
 * from other processes) for every batch size, the implied per-row cost between the
 * smallest and largest batch, and a checksum of the generated ids (equal checksums: the same
 * tokens). The slowest single step against the median is what the long-prompt scenario's bar
 * (worst gap ≤ 3× the median) would see of the bare engine on the same machine, with no server
 * and no prompt arriving. {@code --packed true,false} runs the model with and without weights
 * packed for the CPU's products ({@code PackedWeights}) side by side in one process, alternating
 * each round, so the two are compared under the same load, and {@code --helper-threads 0,1} does the same
 * with and without threads sharing the packed products; {@code --profile} writes libtorch's
 * operator profile of one more round of each configuration.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.DecodeStepBench --model target/serve-model [--batch 1,16] [--rounds 5] [--packed true,false]
 *     [--helper-threads 0,1]
 * </pre>
 */
@Command(
        name = "DecodeStepBench",
        mixinStandardHelpOptions = true,
        description = "Milliseconds per batched decode step of a Kiln checkpoint at each batch size.")
public final class DecodeStepBench implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "the model directory (e.g. target/serve-model)")
    Path model;

    @Option(
            names = "--batch",
            split = ",",
            defaultValue = "1,16",
            description = "batch sizes (default: ${DEFAULT-VALUE})")
    int[] batches;

    @Option(
            names = "--tokens",
            defaultValue = "64",
            description = "tokens per session and round (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--rounds", defaultValue = "5", description = "timed rounds (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--temperature",
            defaultValue = "0.8",
            description = "sampling temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--packed",
            arity = "1",
            split = ",",
            defaultValue = "true",
            description = "weights packed for the CPU's products (GptLanguageModel.Builder#optPackedWeights);"
                    + " true,false runs both side by side, alternating each round (default: ${DEFAULT-VALUE})")
    boolean[] packed;

    @Option(
            names = "--helper-threads",
            arity = "1",
            split = ",",
            defaultValue = "0",
            description = "threads sharing the packed products (GptLanguageModel.Builder#optHelperThreads); 0,1"
                    + " runs both side by side, alternating each round (default: ${DEFAULT-VALUE})")
    int[] helpers;

    @Option(
            names = "--profile",
            paramLabel = "PREFIX",
            description = "after the last round, profile one more round of each configuration with libtorch's"
                    + " profiler into PREFIX[-packed-X]-B<batch>.json (Chrome trace)")
    String profile;

    @Option(
            names = "--steps-out",
            paramLabel = "FILE",
            description = "write every timed step as CSV (configuration, batch, round, step, start_ms since the"
                    + " JVM started, ms) to line up slow steps with -Xlog output")
    Path stepsOut;

    @Spec
    CommandSpec spec;

    /** {@link System#nanoTime} when the JVM started, so step starts line up with {@code -Xlog}'s uptime. */
    private static final long JVM_START = System.nanoTime()
            - java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;

    public static void main(String[] args) {
        BenchCli.run(new DecodeStepBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (tokens < 2 || rounds < 1 || threads < 1 || temperature < 0) {
            throw BenchCli.bad(
                    spec,
                    "--tokens must be >= 2, --rounds and --threads >= 1, --temperature >= 0; got %d, %d, %d, %s",
                    tokens,
                    rounds,
                    threads,
                    temperature);
        }
        for (int b : batches) {
            if (b < 1) {
                throw BenchCli.bad(spec, "--batch sizes must be >= 1, got %d", b);
            }
        }
        if (stepsOut != null
                && stepsOut.toAbsolutePath().getParent() != null
                && !Files.isDirectory(stepsOut.toAbsolutePath().getParent())) {
            throw BenchCli.bad(
                    spec,
                    "--steps-out: no such directory: %s",
                    stepsOut.toAbsolutePath().getParent());
        }
        Devices.setThreads(threads, 1);
        ModelDir.Loaded loaded = ModelDir.read(model, Device.cpu());
        Tokenizer tok = loaded.tokenizer();
        List<String> texts = ServeLoad.prompts();
        int v = packed.length * helpers.length;
        int nb = batches.length;
        double[][] ms = new double[v * nb][rounds];
        double[][] steps = new double[v * nb][rounds * (tokens - 1)];
        double[][] starts = new double[v * nb][rounds * (tokens - 1)];
        long[] checksum = new long[v * nb];
        GptLanguageModel[] lms = new GptLanguageModel[v];
        try {
            for (int j = 0; j < v; j++) {
                lms[j] = GptLanguageModel.builder()
                        .setModel(loaded.model())
                        .setTokenizer(tok)
                        .optPrefixCache(false)
                        .optPackedWeights(packed[j / helpers.length])
                        .optHelperThreads(helpers[j % helpers.length])
                        .build();
            }
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                for (int j = 0; j < v; j++) {
                    for (int k = 0; k < nb; k++) {
                        int row = j * nb + k;
                        long sum = decode(lms[j], tok, texts, batches[k], r, steps[row], starts[row], ms[row]);
                        if (profile != null && r == rounds - 1) {
                            JniUtils.startProfile(false, false, false);
                            decode(lms[j], tok, texts, batches[k], -1, null, null, null);
                            JniUtils.stopProfile(profile + (v > 1 ? "-v" + j : "") + "-B" + batches[k] + ".json");
                        }
                        checksum[row] = sum;
                    }
                }
            }
        } finally {
            for (GptLanguageModel lm : lms) {
                if (lm != null) {
                    lm.close();
                }
            }
            loaded.model().close();
        }
        if (stepsOut != null) {
            StringBuilder csv = new StringBuilder("configuration,batch,round,step,start_ms,ms\n");
            for (int row = 0; row < v * nb; row++) {
                for (int i = 0; i < steps[row].length; i++) {
                    csv.append(String.format(
                            Locale.ROOT,
                            "%d,%d,%d,%d,%.3f,%.3f%n",
                            row / nb,
                            batches[row % nb],
                            i / (tokens - 1),
                            i % (tokens - 1),
                            starts[row][i],
                            steps[row][i]));
                }
            }
            Files.writeString(stepsOut, csv);
        }
        for (int j = 0; j < v; j++) {
            boolean pj = packed[j / helpers.length];
            String label = v > 1 || !pj ? "packed " + (pj ? "on " : "off") + " " : "";
            if (helpers.length > 1) {
                label += "helper threads " + helpers[j % helpers.length] + " ";
            }
            if (pj && lms[j].packedWeightBytes() == 0) {
                label += "(not packed here) ";
            }
            double[] med = new double[nb];
            for (int k = 0; k < nb; k++) {
                int row = j * nb + k;
                double[] sorted = steps[row].clone();
                Arrays.sort(sorted);
                med[k] = sorted[sorted.length / 2];
                System.out.printf(
                        Locale.ROOT,
                        "%sB=%-3d median step %.3f ms (%.0f tok/s), p10 %.3f, p90 %.3f, max %.3f (%.1fx median);"
                                + " round means %s; ids checksum %016x%n",
                        label,
                        batches[k],
                        med[k],
                        batches[k] * 1000 / med[k],
                        sorted[sorted.length / 10],
                        sorted[sorted.length * 9 / 10],
                        sorted[sorted.length - 1],
                        sorted[sorted.length - 1] / med[k],
                        Arrays.toString(Arrays.stream(ms[row])
                                .map(x -> Math.round(x * 1000) / 1000.0)
                                .toArray()),
                        checksum[row]);
            }
            if (nb >= 2) {
                int lo = 0;
                int hi = nb - 1;
                double y = (med[hi] - med[lo]) / (batches[hi] - batches[lo]);
                double x = med[lo] - batches[lo] * y;
                System.out.printf(
                        Locale.ROOT,
                        "%sstep = X + B*Y: X %.3f ms, Y %.3f ms/row; B=%d throughput / B=%d: %.2fx%n",
                        label,
                        x,
                        y,
                        batches[hi],
                        batches[lo],
                        (batches[hi] / med[hi]) / (batches[lo] / med[lo]));
            }
        }
        return 0;
    }

    /**
     * One round: {@code b} sessions prefill, then decode {@code tokens - 1} steps; records each
     * step's milliseconds into {@code steps} (from {@code round·(tokens-1)}) and the mean into
     * {@code means[round]} when {@code round >= 0}; returns a checksum of the drawn ids.
     */
    private long decode(
            GptLanguageModel lm,
            Tokenizer tok,
            List<String> texts,
            int b,
            int round,
            double[] steps,
            double[] starts,
            double[] means) {
        List<DecodeSession> ss = new ArrayList<>();
        long sum = 17;
        for (int i = 0; i < b; i++) {
            SamplingParams p = temperature == 0 ? SamplingParams.GREEDY : new SamplingParams(temperature, 1, 0, i);
            ss.add(lm.open(tok.encode(texts.get(i % texts.size())), p, tokens));
        }
        try {
            for (int id : lm.step(ss)) { // prefill
                sum = sum * 31 + id;
            }
            long t0 = System.nanoTime();
            long last = t0;
            for (int s = 1; s < tokens; s++) {
                for (int id : lm.step(ss)) {
                    sum = sum * 31 + id;
                }
                long now = System.nanoTime();
                if (round >= 0) {
                    steps[round * (tokens - 1) + s - 1] = (now - last) / 1e6;
                    starts[round * (tokens - 1) + s - 1] = (last - JVM_START) / 1e6;
                }
                last = now;
            }
            if (round >= 0) {
                means[round] = (last - t0) / 1e6 / (tokens - 1);
            }
        } finally {
            for (DecodeSession s : ss) {
                s.close();
            }
        }
        return sum;
    }
}
