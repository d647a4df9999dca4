package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCliTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainGenerateExport(@TempDir Path dir) throws Exception {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            code.append("int x").append(i % 10).append(" = ").append(i).append(";\n");
        }
        Files.writeString(dir.resolve("code.java"), code);
        Path yaml = dir.resolve("run.yaml");
        Files.writeString(yaml, """
                model: {vocab_size: 263, context_length: 32, d_model: 32, heads: 2, layers: 1}
                data: {train: code.java, seq_len: 32, batch_size: 4}
                optimizer: {lr: 3.0e-3}
                scheduler: {warmup_steps: 2}
                max_steps: 20
                eval_interval: 10
                save_interval: 10
                save_folder: run/checkpoints
                metrics: {sinks: jsonl}
                """);
        Run train = run("train", "--config", yaml.toString(), "--set", "max_steps=12");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(train.out()).contains("trained 12 steps");
        Run again = run("train", "--config", yaml.toString(), "--set", "max_steps=14");
        assertThat(again.out()).contains("trained 14 steps (resumed from 12)");
        Run fresh = run("train", "--config", yaml.toString(), "--set", "max_steps=3", "--no-resume");
        assertThat(fresh.out()).contains("trained 3 steps (resumed from 0)");

        Path ckpts = dir.resolve("run/checkpoints");
        Run gen = run("generate", "--model", ckpts.toString(), "--prompt", "int x", "--max-tokens", "5");
        assertThat(gen.code()).as(gen.err()).isZero();
        // Only the completion (5 byte tokens, plus the newline println adds) on stdout.
        assertThat(gen.out().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isBetween(2, 5 * 4 + 2);
        assertThat(gen.out()).doesNotStartWith("int x");
        devices(dir, ckpts, gen.out());

        Run export = run(
                "export",
                "--model",
                ckpts.toString(),
                "--format",
                "hf",
                "--output",
                dir.resolve("hf").toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(dir.resolve("hf/model.safetensors")).exists();
        // the llama preset is the default
        assertThat(dir.resolve("hf/config.json")).content().contains("LlamaForCausalLM");
        Run gguf = run(
                "export",
                "--model",
                ckpts.toString(),
                "--format",
                "gguf",
                "--dtype",
                "f32",
                "--output",
                dir.resolve("model.gguf").toString());
        assertThat(gguf.code()).as(gguf.err()).isZero();
        assertThat(gguf.out()).contains("(gguf, f32)");
        assertThat(Files.readAllBytes(dir.resolve("model.gguf"))).startsWith('G', 'G', 'U', 'F', 3, 0, 0, 0);
        Run badDtype = run(
                "export",
                "--model",
                ckpts.toString(),
                "--format",
                "gguf",
                "--dtype",
                "q4_0",
                "--output",
                dir.resolve("q.gguf").toString());
        assertThat(badDtype.code()).isNotZero();
        assertThat(badDtype.err()).contains("'q4_0'").contains("f32, f16").doesNotContain("\tat ");

        Files.writeString(yaml, "optimizer: {lrr: 1}\n");
        Run bad = run("train", "--config", yaml.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err())
                .contains("unknown config key 'optimizer.lrr'")
                .contains("optimizer.lr")
                .doesNotContain("\tat ");
        Run missing = run("generate", "--model", dir.resolve("nope").toString(), "--prompt", "x");
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("nope").doesNotContain("\tat ");
    }

    /** --device on generate, eval and serve: a bad value is a usage error, cpu runs, cuda here is a clear error. */
    private static void devices(Path dir, Path ckpts, String greedy) throws Exception {
        String m = ckpts.toString();
        Run gen = run("generate", "--model", m, "--prompt", "int x", "--max-tokens", "5", "--device", "cpu");
        assertThat(gen.code()).as(gen.err()).isZero();
        assertThat(gen.out()).isEqualTo(greedy);
        String badValue = "Invalid value for option '--device': unknown device 'tpu' (use auto, cpu, cuda or cuda:N)";
        Run badGen = run("generate", "--model", m, "--prompt", "x", "--device", "tpu");
        assertThat(badGen.code()).isEqualTo(2);
        assertThat(badGen.err()).contains(badValue).doesNotContain("\tat ");
        Run noGpu = run("generate", "--model", m, "--prompt", "x", "--device", "cuda");
        assertThat(noGpu.code()).isNotZero();
        assertThat(noGpu.err())
                .contains("device 'cuda:0'")
                .contains("sees no CUDA GPU")
                .doesNotContain("\tat ");

        Path out = dir.resolve("eval");
        Run eval = run(
                "eval",
                "humaneval",
                "--model",
                m,
                "--limit",
                "1",
                "--max-tokens",
                "4",
                "--generate-only",
                "--output",
                out.toString(),
                "--device",
                "cpu");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(out.resolve("samples.jsonl")).isNotEmptyFile();
        Run badEval = run("eval", "humaneval", "--model", m, "--output", out.toString(), "--device", "cuda:x");
        assertThat(badEval.code()).isEqualTo(2);
        assertThat(badEval.err()).contains("unknown device 'cuda:x'").doesNotContain("\tat ");
        Run badInfill = run("eval", "humaneval-infill", "--model", m, "--output", out.toString(), "--device", "tpu");
        assertThat(badInfill.code()).isEqualTo(2);
        assertThat(badInfill.err()).contains(badValue);

        Run badServe = run("serve", "--model", m, "--port", "0", "--device", "tpu");
        assertThat(badServe.code()).isEqualTo(2);
        assertThat(badServe.err()).contains(badValue).doesNotContain("\tat ");
        // cpu: a real server process on the trained checkpoint answers one completion.
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.kiln.cli.Llm",
                        "serve",
                        "--model",
                        m,
                        "--port",
                        "0",
                        "--device",
                        "cpu")
                .redirectError(dir.resolve("serve-stderr.txt").toFile())
                .start();
        try {
            var lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            String listening = lines.readLine();
            assertThat(listening)
                    .as(Files.readString(dir.resolve("serve-stderr.txt")))
                    .startsWith("listening on ");
            assertThat(lines.readLine())
                    .as(Files.readString(dir.resolve("serve-stderr.txt")))
                    .startsWith("ready: ");
            var port = java.util.regex.Pattern.compile("port (\\d+)").matcher(listening);
            assertThat(port.find()).isTrue();
            var r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            "http://127.0.0.1:" + port.group(1) + "/v1/completions"))
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "{\"prompt\":\"int x\",\"max_tokens\":3}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
