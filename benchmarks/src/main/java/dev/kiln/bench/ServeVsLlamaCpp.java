package dev.kiln.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.Devices;
import dev.kiln.train.ModelDir;
import dev.kiln.train.generate.GptLanguageModel;
import dev.kiln.train.gguf.GgufExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Kiln's decoding engine against llama.cpp on the same real checkpoint: the Kiln model directory
 * (e.g. {@link ServeModel}'s) is exported as an F32 GGUF ({@link GgufExport}, what {@code llm export
 * --format gguf} writes), and both decode greedily from the same token ids with the same threads:
 * one sequence alone, and {@code N} sequences batched (Kiln: {@link GptLanguageModel#step} over N
 * sessions of its paged KV cache; llama.cpp: N sequences of one context through node-llama-cpp,
 * which batches them into one decode per step). Rounds alternate the four runs; medians are
 * printed. Tokens per second count the tokens after each sequence's first (prefill excluded).
 * Before the rounds Kiln decodes for {@code warmupSeconds} (one sequence and the batch, in turn),
 * so that the JIT has compiled the step's Java path as it has in a server that has been up for a
 * while; llama.cpp is native code and needs no such warm-up (both still run one unmeasured round).
 * With {@code 0} the Kiln figures are those of a freshly started JVM. Run through {@code
 * benchmarks/compare/serve-vs-llamacpp.sh}.
 *
 * <p>Arguments: {@code SCRIPT INSTALL_DIR WORK_DIR MODEL_DIR THREADS TOKENS REPEATS SEQUENCES
 * [WARMUP_SECONDS]} ({@code --help} describes them); a bad value is one line and exit 2.
 */
@Command(
        name = "ServeVsLlamaCpp",
        mixinStandardHelpOptions = true,
        description = "Kiln's decoding engine vs llama.cpp on one checkpoint, side by side (run through"
                + " benchmarks/compare/serve-vs-llamacpp.sh).")
public final class ServeVsLlamaCpp implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "the node script driving llama.cpp")
    Path script;

    @Parameters(index = "1", paramLabel = "INSTALL_DIR", description = "where node-llama-cpp is installed")
    Path install;

    @Parameters(index = "2", paramLabel = "WORK_DIR", description = "a scratch directory (created)")
    Path workDir;

    @Parameters(index = "3", paramLabel = "MODEL_DIR", description = "the Kiln model directory")
    Path modelDir;

    @Parameters(index = "4", paramLabel = "THREADS", description = "compute threads on both sides")
    int threads;

    @Parameters(index = "5", paramLabel = "TOKENS", description = "tokens decoded per sequence")
    int tokens;

    @Parameters(index = "6", paramLabel = "REPEATS", description = "measured rounds")
    int repeats;

    @Parameters(index = "7", paramLabel = "SEQUENCES", description = "sequences in the batched runs")
    int sequences;

    @Parameters(
            index = "8",
            arity = "0..1",
            paramLabel = "WARMUP_SECONDS",
            defaultValue = "5",
            description = "seconds Kiln decodes before the rounds (default: ${DEFAULT-VALUE})")
    double warmup;

    public static void main(String[] args) {
        BenchCli.run(new ServeVsLlamaCpp(), args);
    }

    @Override
    public Integer call() throws Exception {
        requirePositive("THREADS", threads);
        requirePositive("TOKENS", tokens);
        requirePositive("REPEATS", repeats);
        requirePositive("SEQUENCES", sequences);
        if (!(warmup >= 0) || Double.isInfinite(warmup)) {
            throw BenchCli.bad(spec, "WARMUP_SECONDS must be a finite number >= 0, got %s", warmup);
        }
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw BenchCli.bad(spec, "MODEL_DIR %s is not a Kiln model directory (no config.json)", modelDir);
        }
        Path work = Files.createDirectories(workDir);
        Devices.setThreads(threads, 1);
        Path gguf = work.resolve("model.gguf");
        GgufExport.export(modelDir, gguf, GgufExport.Dtype.F32);
        ModelDir.Loaded loaded = ModelDir.read(modelDir, Device.cpu());
        Tokenizer tok = loaded.tokenizer();
        String described = loaded.model().config().toString();
        long parameters = loaded.model().countParameters(); // read before the model is closed
        List<int[]> prompts = new ArrayList<>();
        List<String> texts = ServeLoad.prompts();
        for (int i = 0; i < sequences; i++) {
            prompts.add(tok.encode(texts.get(i % texts.size())));
        }
        List<Double> kilnOne = new ArrayList<>();
        List<Double> kilnMany = new ArrayList<>();
        List<Double> llamaOne = new ArrayList<>();
        List<Double> llamaMany = new ArrayList<>();
        int agree = 0;
        try (GptLanguageModel lm = GptLanguageModel.builder()
                .setModel(loaded.model())
                .setTokenizer(tok)
                .optOwnsModel(true)
                .optPrefixCache(false)
                .build()) {
            long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < warmEnd) {
                kiln(lm, prompts.subList(0, 1), tokens);
                kiln(lm, prompts, tokens);
            }
            for (int r = 0; r <= repeats; r++) { // round 0 warms both up
                double[] k1 = kiln(lm, prompts.subList(0, 1), tokens);
                JsonNode l1 = llama(script, install, work, gguf, threads, tokens, prompts, "single");
                double[] kn = kiln(lm, prompts, tokens);
                JsonNode ln = llama(script, install, work, gguf, threads, tokens, prompts, "batched");
                if (r > 0) {
                    kilnOne.add(k1[0]);
                    kilnMany.add(kn[0]);
                    llamaOne.add(l1.get("tokensPerSecond").asDouble());
                    llamaMany.add(ln.get("tokensPerSecond").asDouble());
                } else {
                    JsonNode ids = l1.get("generated").get(0);
                    while (agree < ids.size()
                            && agree < lastIds.length
                            && ids.get(agree).asInt() == lastIds[agree]) {
                        agree++;
                    }
                }
            }
        }
        double k1 = DecodeVsLlamaCpp.median(kilnOne);
        double kn = DecodeVsLlamaCpp.median(kilnMany);
        double l1 = DecodeVsLlamaCpp.median(llamaOne);
        double ln = DecodeVsLlamaCpp.median(llamaMany);
        System.out.printf(
                Locale.ROOT,
                "model: %s (%s, %,d parameters), F32 GGUF; %d threads; %d tokens per sequence; %d rounds;"
                        + " Kiln warmed up for %.0f s%n",
                modelDir,
                described,
                parameters,
                threads,
                tokens,
                repeats,
                warmup);
        System.out.printf(
                Locale.ROOT,
                "greedy tokens of the first sequence: Kiln and llama.cpp agree on the first %d of %d%n",
                agree,
                tokens);
        System.out.println("                       kiln tok/s  llama.cpp tok/s  kiln / llama.cpp");
        System.out.printf(Locale.ROOT, "1 sequence            %11.1f  %15.1f  %16.2f%n", k1, l1, k1 / l1);
        System.out.printf(Locale.ROOT, "%2d sequences batched  %11.1f  %15.1f  %16.2f%n", sequences, kn, ln, kn / ln);
        System.out.printf(
                Locale.ROOT,
                "batching gain: kiln %.2fx, llama.cpp %.2fx; runs: kiln 1 %s, llama.cpp 1 %s, kiln %d %s, llama.cpp %d %s%n",
                kn / k1,
                ln / l1,
                kilnOne,
                llamaOne,
                sequences,
                kilnMany,
                sequences,
                llamaMany);
        return 0;
    }

    /** The greedy ids of the last single-sequence Kiln run. */
    private static int[] lastIds = new int[0];

    private void requirePositive(String name, int value) {
        if (value < 1) {
            throw BenchCli.bad(spec, "%s must be >= 1, got %d", name, value);
        }
    }

    /** Greedy decode of every prompt together; tokens/s after the first token of each. */
    static double[] kiln(GptLanguageModel lm, List<int[]> prompts, int tokens) {
        List<DecodeSession> ss = new ArrayList<>();
        try {
            for (int[] p : prompts) {
                ss.add(lm.open(p, SamplingParams.GREEDY, tokens));
            }
            int[] first = lm.step(ss); // prefill: each prompt's first token
            int[] ids = new int[tokens];
            ids[0] = first[0];
            long t0 = System.nanoTime();
            for (int i = 1; i < tokens; i++) {
                ids[i] = lm.step(ss)[0];
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            if (prompts.size() == 1) {
                lastIds = ids;
            }
            return new double[] {prompts.size() * (tokens - 1) / wall};
        } finally {
            for (DecodeSession s : ss) {
                s.close();
            }
        }
    }

    static JsonNode llama(
            Path script, Path install, Path work, Path gguf, int threads, int tokens, List<int[]> prompts, String mode)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path req = work.resolve("request.json");
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(1);
        json.writeValue(
                req.toFile(),
                Map.of(
                        "model", gguf.toString(),
                        "threads", threads,
                        "context", longest + tokens + 16,
                        "tokens", tokens,
                        "prompts", prompts,
                        "mode", mode));
        Path out = work.resolve("answer.json");
        Process p = new ProcessBuilder("node", script.toString(), install.toString(), req.toString())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "llama.cpp run failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return json.readTree(out.toFile());
    }

    static String fmt(double[] v) {
        return Arrays.toString(v);
    }
}
