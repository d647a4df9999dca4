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
}
