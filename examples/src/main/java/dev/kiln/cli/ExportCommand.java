package dev.kiln.cli;

import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.hf.HfModels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm export}: writes a checkpoint in Hugging Face GPT-2 format. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Export a Kiln checkpoint as a Hugging Face model directory (config.json, model.safetensors, tokenizer.json): GPT2LMHeadModel, LlamaForCausalLM or Qwen2ForCausalLM, following the model.")
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--model",
            required = true,
            description = "checkpoint directory or folder (newest valid)")
    Path model;

    @CommandLine.Option(names = "--format", defaultValue = "hf", description = "export format: hf")
    String format;

    @CommandLine.Option(names = "--output", required = true, description = "output directory")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("hf")) {
            throw new IllegalArgumentException("unknown --format '" + format + "' (supported: hf)");
        }
        Path dir = model;
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            dir = Checkpoints.newestValid(model)
                    .orElseThrow(() -> new NoSuchFileException(model.toString(), null, "no valid checkpoint here"));
        }
        HfModels.export(dir, output);
        spec.commandLine().getOut().println("exported " + dir + " to " + output);
        return 0;
    }
}
