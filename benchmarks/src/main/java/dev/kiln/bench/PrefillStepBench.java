package dev.kiln.bench;

import ai.djl.Device;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.train.Devices;
import dev.kiln.train.ModelDir;
import dev.kiln.train.generate.GptLanguageModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What a prompt chunk adds to a decode step, without the server: {@code --decodes} sessions
 * decode (prompts of {@code --decode-length} tokens) while one long prompt is prefilled from
 * position {@code --chunk-at} in chunks of each size in {@code --chunks}. Decode-only steps and
 * steps with a chunk alternate; prints, per chunk size, the median of each and their difference,
 * then the fixed and per-token parts of that difference (from the smallest and largest chunk).
 * The token ids are drawn at random (fixed seed): the cost does not depend on them.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.PrefillStepBench --model target/serve-model [--chunks 1,16,64]
 * </pre>
 */
@Command(
        name = "PrefillStepBench",
        mixinStandardHelpOptions = true,
        description = "Milliseconds a prompt chunk adds to a batched decode step of a Kiln checkpoint.")
public final class PrefillStepBench implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "the model directory (e.g. target/serve-model)")
    Path model;

    @Option(names = "--decodes", defaultValue = "8", description = "decoding sessions (default: ${DEFAULT-VALUE})")
    int decodes;

    @Option(
            names = "--decode-length",
            defaultValue = "300",
            description = "prompt tokens of each decoding session (default: ${DEFAULT-VALUE})")
    int decodeLength;

    @Option(
            names = "--chunk-at",
            defaultValue = "1000",
            description = "the long prompt's position where the timed chunks start (default: ${DEFAULT-VALUE})")
    int chunkAt;

    @Option(
            names = "--chunks",
            split = ",",
            defaultValue = "1,16,64",
            description = "chunk sizes (default: ${DEFAULT-VALUE})")
    int[] chunks;

    @Option(
            names = "--pairs",
            defaultValue = "8",
            description = "decode-only and chunk steps per size and round (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--rounds", defaultValue = "5", description = "timed rounds (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        BenchCli.run(new PrefillStepBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        int widest = Arrays.stream(chunks).max().orElse(0);
        if (decodes < 1 || decodeLength < 1 || chunkAt < 1 || pairs < 1 || rounds < 1 || threads < 1) {
            throw BenchCli.bad(
                    spec, "--decodes, --decode-length, --chunk-at, --pairs, --rounds, --threads must be >= 1");
        }
        if (Arrays.stream(chunks).anyMatch(c -> c < 1)) {
            throw BenchCli.bad(spec, "--chunks sizes must be >= 1, got %s", Arrays.toString(chunks));
        }
        Devices.setThreads(threads, 1);
        ModelDir.Loaded loaded = ModelDir.read(model, Device.cpu());
        int vocab = loaded.tokenizer().vocabSize();
        int longLength = chunkAt + pairs * widest + 1;
        int steps = (rounds + 1) * chunks.length * pairs;
        if (longLength >= loaded.model().config().contextLength()
                || decodeLength + 2 * steps >= loaded.model().config().contextLength()) {
            throw BenchCli.bad(
                    spec,
                    "the model's context (%d) is too short for these settings",
                    loaded.model().config().contextLength());
        }
        SplittableRandom rnd = new SplittableRandom(7);
        double[][] decodeMs = new double[chunks.length][rounds * pairs];
        double[][] mixedMs = new double[chunks.length][rounds * pairs];
        try (GptLanguageModel lm = GptLanguageModel.builder()
                .setModel(loaded.model())
                .setTokenizer(loaded.tokenizer())
                .optOwnsModel(true)
                .optPrefixCache(false)
                .build()) {
            List<DecodeSession> dec = new ArrayList<>();
            for (int i = 0; i < decodes; i++) {
                dec.add(lm.open(rnd.ints(decodeLength, 0, vocab).toArray(), SamplingParams.GREEDY, 2 * steps + 2));
            }
            lm.step(dec); // prefill
            int[] decodeLimits = new int[decodes];
            int[] mixedLimits = new int[decodes + 1];
            Arrays.fill(decodeLimits, 1);
            Arrays.fill(mixedLimits, 1);
            List<DecodeSession> mixed = new ArrayList<>(dec);
            mixed.add(null);
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                for (int k = 0; k < chunks.length; k++) {
                    try (DecodeSession longS =
                            lm.open(rnd.ints(longLength, 0, vocab).toArray(), SamplingParams.GREEDY, 1)) {
                        lm.step(List.of(longS), new int[] {chunkAt}); // prefilled alone up to chunkAt
                        mixed.set(decodes, longS);
                        mixedLimits[decodes] = chunks[k];
                        for (int p = 0; p < pairs; p++) {
                            long t0 = System.nanoTime();
                            lm.step(dec, decodeLimits);
                            long t1 = System.nanoTime();
                            lm.step(mixed, mixedLimits);
                            long t2 = System.nanoTime();
                            if (r >= 0) {
                                decodeMs[k][r * pairs + p] = (t1 - t0) / 1e6;
                                mixedMs[k][r * pairs + p] = (t2 - t1) / 1e6;
                            }
                        }
                    }
                }
            }
            for (DecodeSession s : dec) {
                s.close();
            }
        }
        double[] extra = new double[chunks.length];
        for (int k = 0; k < chunks.length; k++) {
            double d = median(decodeMs[k]);
            double m = median(mixedMs[k]);
            extra[k] = m - d;
            System.out.printf(
                    Locale.ROOT,
                    "chunk %-4d decode-only step %.3f ms, with the chunk %.3f ms (%.2fx): +%.3f ms%n",
                    chunks[k],
                    d,
                    m,
                    m / d,
                    extra[k]);
        }
        if (chunks.length >= 2) {
            int lo = 0;
            int hi = chunks.length - 1;
            double perToken = (extra[hi] - extra[lo]) / (chunks[hi] - chunks[lo]);
            System.out.printf(
                    Locale.ROOT,
                    "a chunk adds %.3f ms + %.4f ms per prompt token%n",
                    extra[lo] - chunks[lo] * perToken,
                    perToken);
        }
        return 0;
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
