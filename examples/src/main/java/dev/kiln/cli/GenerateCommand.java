package dev.kiln.cli;

import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm generate}: completes a prompt with a model (greedy by default); prints only the completion. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Complete a prompt with a Kiln checkpoint (or any LanguageModels location); prints only the completion.")
final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--model", required = true, description = "checkpoint directory or folder")
    String model;

    @CommandLine.Option(names = "--prompt", required = true, description = "the text to continue")
    String prompt;

    @CommandLine.Option(names = "--max-tokens", defaultValue = "64", description = "tokens to generate (default 64)")
    int maxTokens;

    @CommandLine.Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default)")
    double temperature;

    @CommandLine.Option(names = "--top-p", defaultValue = "1")
    double topP;

    @CommandLine.Option(names = "--top-k", defaultValue = "0")
    int topK;

    @CommandLine.Option(names = "--seed", defaultValue = "0")
    long seed;

    @CommandLine.Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
        }
        try (LanguageModel lm = LanguageModels.open(model, device.options())) {
            String text = lm.generate(GenerationRequest.builder()
                            .setPrompt(prompt)
                            .optMaxTokens(maxTokens)
                            .optTemperature(temperature)
                            .optTopP(topP)
                            .optTopK(topK)
                            .optSeed(seed)
                            .build())
                    .collect()
                    .text();
            PrintWriter out = spec.commandLine().getOut();
            out.println(text);
            out.flush();
        }
        return 0;
    }
}
