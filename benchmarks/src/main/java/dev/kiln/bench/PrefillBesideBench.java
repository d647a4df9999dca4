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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A design probe for prefill beside decode, without the server: what a long prompt's prefill costs
 * the running streams when it runs on its own thread (the second core) instead of inside their
 * steps. One thread steps {@code --decodes} sessions one token at a time; in alternate phases a
 * second thread prefills prompts of {@code --prompt} tokens in chunks of {@code --chunk} on a
 * second copy of the model (the engine has one model per instance, so a real implementation would
 * share it). Prints the decode steps' median, p99 and worst per phase kind, and the prefill's
 * tokens per second beside them. With {@code --prefill-priority idle} the prefill thread runs in
 * Linux's {@code SCHED_IDLE} class, as the product helper threads do.
 *
 * <pre>
 * java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.PrefillBesideBench --model target/serve-model
 * </pre>
 */
@Command(
        name = "PrefillBesideBench",
        mixinStandardHelpOptions = true,
        description = "Decode step times with and without a prompt prefilled on a second thread.")
public final class PrefillBesideBench implements Callable<Integer> {

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
            names = "--prompt",
            defaultValue = "1800",
            description = "tokens of each prompt prefilled beside (default: ${DEFAULT-VALUE})")
    int prompt;

    @Option(names = "--chunk", defaultValue = "64", description = "prefill chunk (default: ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = "--steps", defaultValue = "150", description = "decode steps per phase (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(
            names = "--phases",
            defaultValue = "8",
            description = "phases, alternately alone and beside a prefill (default: ${DEFAULT-VALUE})")
    int phases;

    @Option(
            names = "--prefill-priority",
            defaultValue = "idle",
            description = "the prefill thread's class: idle (SCHED_IDLE) or normal (default: ${DEFAULT-VALUE})")
    String priority;

    @Spec
    CommandSpec spec;

    /** Untimed decode steps of each phase kind before the timed phases. */
    private static final int WARMUP = 20;

    public static void main(String[] args) {
        BenchCli.run(new PrefillBesideBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (decodes < 1 || decodeLength < 1 || prompt < 1 || chunk < 1 || steps < 1 || phases < 2) {
            throw BenchCli.bad(
                    spec, "--decodes, --decode-length, --prompt, --chunk, --steps must be >= 1, --phases >= 2");
        }
        if (!priority.equals("idle") && !priority.equals("normal")) {
            throw BenchCli.bad(spec, "--prefill-priority must be idle or normal, got '%s'", priority);
        }
        Devices.setThreads(1, 1);
        ModelDir.Loaded a = ModelDir.read(model, Device.cpu());
        ModelDir.Loaded b = ModelDir.read(model, Device.cpu());
        int context = a.model().config().contextLength();
        int tokens = 2 * WARMUP + phases * steps + 1; // each decoding session's, prefill step included
        if (decodeLength + tokens >= context || prompt >= context) {
            throw BenchCli.bad(spec, "the model's context (%d) is too short for these settings", context);
        }
        int vocab = a.tokenizer().vocabSize();
        SplittableRandom rnd = new SplittableRandom(7);
        AtomicBoolean beside = new AtomicBoolean();
        AtomicBoolean busy = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong prefilled = new AtomicLong();
        double[][] ms = new double[2][(phases / 2 + 1) * steps];
        int[] counts = new int[2];
        double besideSeconds = 0;
        try (GptLanguageModel decodeLm = model(a);
                GptLanguageModel prefillLm = model(b)) {
            int[] promptIds = rnd.ints(prompt, 0, vocab).toArray();
            Thread prefiller = Thread.ofPlatform().name("prefill-beside").start(() -> {
                if (priority.equals("idle")) {
                    Devices.idlePriority();
                }
                while (!stop.get()) {
                    if (!beside.get()) {
                        LockSupport.parkNanos(200_000);
                        continue;
                    }
                    busy.set(true);
                    try (DecodeSession s = prefillLm.open(promptIds, SamplingParams.GREEDY, 1)) {
                        int[] limit = {chunk};
                        List<DecodeSession> one = List.of(s);
                        boolean done = false;
                        while (beside.get() && !done) {
                            int before = s.prefilledTokens();
                            done = prefillLm.step(one, limit)[0] >= 0;
                            prefilled.addAndGet(s.prefilledTokens() - before);
                        }
                    } finally {
                        busy.set(false);
                    }
                }
            });
            List<DecodeSession> dec = new ArrayList<>();
            for (int i = 0; i < decodes; i++) {
                dec.add(decodeLm.open(rnd.ints(decodeLength, 0, vocab).toArray(), SamplingParams.GREEDY, tokens));
            }
            decodeLm.step(dec); // prefill
            // a warm-up phase of each kind, untimed
            for (int w = 0; w < 2; w++) {
                beside.set(w == 1);
                for (int i = 0; i < WARMUP; i++) {
                    decodeLm.step(dec);
                }
            }
            for (int phase = 0; phase < phases; phase++) {
                int kind = phase % 2; // 0 alone, 1 beside
                beside.set(kind == 1);
                while (kind == 0 && busy.get()) {
                    LockSupport.parkNanos(100_000); // the last chunk finishes before an alone phase
                }
                long p0 = prefilled.get();
                long t = System.nanoTime();
                long phaseStart = t;
                for (int i = 0; i < steps; i++) {
                    decodeLm.step(dec);
                    long now = System.nanoTime();
                    ms[kind][counts[kind]++] = (now - t) / 1e6;
                    t = now;
                }
                if (kind == 1) {
                    besideSeconds += (t - phaseStart) / 1e9;
                }
                if (kind == 1 && phase == 1) {
                    prefilled.addAndGet(-p0); // count from the first timed beside phase
                }
            }
            beside.set(false);
            stop.set(true);
            prefiller.join();
            for (DecodeSession s : dec) {
                s.close();
            }
        }
        String[] names = {"alone", "beside a prefill"};
        for (int k = 0; k < 2; k++) {
            double[] s = Arrays.copyOf(ms[k], counts[k]);
            Arrays.sort(s);
            System.out.printf(
                    Locale.ROOT,
                    "decode step %-17s median %.3f ms, p99 %.3f ms, worst %.3f ms (%d steps)%n",
                    names[k],
                    s[s.length / 2],
                    s[(int) Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)],
                    s[s.length - 1],
                    s.length);
        }
        System.out.printf(
                Locale.ROOT,
                "prefill beside (%s priority, chunk %d): %.0f prompt tokens/s%n",
                priority,
                chunk,
                prefilled.get() / besideSeconds);
        return 0;
    }

    private static GptLanguageModel model(ModelDir.Loaded l) {
        return GptLanguageModel.builder()
                .setModel(l.model())
                .setTokenizer(l.tokenizer())
                .optOwnsModel(true)
                .optPrefixCache(false)
                .build();
    }
}
