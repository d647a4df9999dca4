package dev.kiln.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.Devices;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.generate.GptLanguageModel;
import dev.kiln.train.gguf.GgufExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Single-stream greedy decode speed of Kiln ({@link GptLanguageModel}, DJL + libtorch, KV cache)
 * and llama.cpp (node-llama-cpp's prebuilt CPU build) on the same model: a llama-preset model
 * with random weights, exported as an F32 GGUF, decoded from the same prompt for the same number
 * of tokens with the same thread count. Tokens per second count the decode steps after the first
 * token (prefill excluded) on both sides. Run through {@code benchmarks/compare/decode-vs-llamacpp.sh}.
 *
 * <p>Arguments: {@code script installDir workDir threads dModel layers heads kvHeads vocab tokens repeats}.
 */
public final class DecodeVsLlamaCpp {

    private DecodeVsLlamaCpp() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 11) {
            System.err.println(
                    "usage: DecodeVsLlamaCpp SCRIPT INSTALL_DIR WORK_DIR THREADS D_MODEL LAYERS HEADS KV_HEADS"
                            + " VOCAB TOKENS REPEATS");
            System.exit(2);
        }
        Path script = Path.of(args[0]);
        Path install = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int threads = Integer.parseInt(args[3]);
        int d = Integer.parseInt(args[4]);
        int layers = Integer.parseInt(args[5]);
        int heads = Integer.parseInt(args[6]);
        int kvHeads = Integer.parseInt(args[7]);
        int vocab = Integer.parseInt(args[8]);
        int tokens = Integer.parseInt(args[9]);
        int repeats = Integer.parseInt(args[10]);
        Devices.setThreads(threads, 1);
        GptConfig c = GptConfig.builder()
                .setVocabSize(vocab)
                .setContextLength(Math.max(256, 2 * tokens))
                .optDModel(d)
                .optLayers(layers)
                .optHeads(heads)
                .optKvHeads(kvHeads)
                .build();
        Tokenizer tok = ByteTokenizer.withCodeSpecials();
        int[] prompt = new Random(1).ints(16, 0, 256).toArray();
        Path gguf = work.resolve("decode-bench.gguf");
        double[] kiln = new double[repeats];
        double[] kilnCpu = new double[repeats];
        try (GptModel model = GptModel.create(c, 42, Device.cpu())) {
            GgufExport.export(model, tok, gguf, GgufExport.Dtype.F32, "decode-bench");
            try (GptLanguageModel lm = new GptLanguageModel(model, tok, "bench", false)) {
                decode(lm, prompt, tokens); // warm-up
                for (int r = 0; r < repeats; r++) {
                    double[] rate = decode(lm, prompt, tokens);
                    kiln[r] = rate[0];
                    kilnCpu[r] = rate[1];
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        Path req = work.resolve("decode-request.json");
        json.writeValue(
                req.toFile(),
                Map.of(
                        "threads",
                        threads,
                        "runs",
                        List.of(Map.of(
                                "model", gguf.toString(),
                                "context", c.contextLength(),
                                "decode", Map.of("prompt", prompt, "tokens", tokens, "repeats", repeats + 1)))));
        Path out = work.resolve("decode-answer.json");
        Process p = new ProcessBuilder("node", script.toString(), install.toString(), req.toString())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "llama.cpp run failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        JsonNode answer = json.readTree(out.toFile()).get("runs").get(0);
        List<Double> llama = new ArrayList<>();
        List<Double> llamaCpu = new ArrayList<>();
        for (int i = 1; i < answer.get("decodeTokensPerSecond").size(); i++) { // the first is the warm-up
            llama.add(answer.get("decodeTokensPerSecond").get(i).asDouble());
            llamaCpu.add(answer.get("decodeTokensPerCpuSecond").get(i).asDouble());
        }
        double k = median(Arrays.stream(kiln).boxed().toList());
        double l = median(llama);
        double kc = median(Arrays.stream(kilnCpu).boxed().toList());
        double lc = median(llamaCpu);
        System.out.printf(
                "model: llama preset, d_model %d, %d layers, %d heads (%d kv), vocab %d, %,d parameters,"
                        + " F32; %d threads; %d tokens after a %d-token prompt, %d repeats%n",
                d, layers, heads, kvHeads, vocab, c.parameterCount(), threads, tokens, prompt.length, repeats);
        System.out.printf(
                "kiln      tokens/s: %s  median %.1f%n",
                fmt(Arrays.stream(kiln).boxed().toList()), k);
        System.out.printf("llama.cpp tokens/s: %s  median %.1f%n", fmt(llama), l);
        System.out.printf("ratio kiln / llama.cpp: %.3f%n", k / l);
        System.out.printf(
                "per CPU-second (process user+system; steadier on a shared machine): kiln %s median %.1f,"
                        + " llama.cpp %s median %.1f, ratio %.3f%n",
                fmt(Arrays.stream(kilnCpu).boxed().toList()), kc, fmt(llamaCpu), lc, kc / lc);
    }

    /**
     * Greedy decode of {@code tokens} tokens; tokens per wall second and per process CPU second
     * after the first (prefill) token.
     */
    static double[] decode(GptLanguageModel lm, int[] prompt, int tokens) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (DecodeSession s = lm.open(prompt, SamplingParams.GREEDY)) {
            lm.step(List.of(s));
            long t0 = System.nanoTime();
            long c0 = os.getProcessCpuTime();
            for (int i = 1; i < tokens; i++) {
                lm.step(List.of(s));
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - c0) / 1e9;
            return new double[] {(tokens - 1) / wall, (tokens - 1) / cpu};
        }
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> v) {
        StringBuilder sb = new StringBuilder("[");
        for (double x : v) {
            sb.append(sb.length() > 1 ? ", " : "").append(String.format("%.1f", x));
        }
        return sb.append(']').toString();
    }
}
