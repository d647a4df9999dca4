package dev.kiln.cli;

import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.gguf.GgufExport;
import dev.kiln.train.hf.HfModels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm export}: writes a checkpoint as a Hugging Face directory or a GGUF file. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a Kiln checkpoint for other runtimes.",
            "  --format hf    a Hugging Face directory (config.json, model.safetensors, tokenizer.json):"
                    + " GPT2LMHeadModel, LlamaForCausalLM or Qwen2ForCausalLM, following the model's options",
            "  --format gguf  one GGUF v3 file for llama.cpp, Ollama and LM Studio (architecture llama,"
                    + " qwen2 or gpt2; tokenizer embedded); --dtype f32|f16"
        })
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--model",
            required = true,
            description = "checkpoint directory or folder (newest valid)")
    Path model;

    @CommandLine.Option(names = "--format", defaultValue = "hf", description = "hf (default) or gguf")
    String format;

    @CommandLine.Option(
            names = "--dtype",
            description = "GGUF only: f32 or f16 (default f16; norms and biases stay f32)")
    String dtype;

    @CommandLine.Option(
            names = "--output",
            required = true,
            description = "output directory (hf) or file (gguf, e.g. model.gguf)")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("hf") && !format.equals("gguf")) {
            throw new IllegalArgumentException("unknown --format '" + format + "' (supported: hf, gguf)");
        }
        if (format.equals("hf") && dtype != null) {
            throw new IllegalArgumentException("--dtype applies to --format gguf only (hf exports are float32)");
        }
        GgufExport.Dtype d = GgufExport.Dtype.parse(dtype == null ? "f16" : dtype);
        Path dir = model;
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            dir = Checkpoints.newestValid(model)
                    .orElseThrow(() -> new NoSuchFileException(model.toString(), null, "no valid checkpoint here"));
        }
        if (format.equals("hf")) {
            HfModels.export(dir, output);
        } else {
            if (Files.isDirectory(output)) {
                throw new IllegalArgumentException("--output " + output
                        + " is a directory; --format gguf writes one file (e.g. " + output.resolve("model.gguf") + ")");
            }
            GgufExport.export(dir, output, d);
        }
        spec.commandLine()
                .getOut()
                .println("exported " + dir + " to " + output + " (" + format
                        + (format.equals("gguf") ? ", " + d.wireName() : "") + ")");
        return 0;
    }
}
