package dev.kiln.train.generate;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModelProvider;
import dev.kiln.train.ModelDir;
import dev.kiln.train.hf.HfModels;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens Hugging Face model directories ({@code config.json} + safetensors + {@code tokenizer.json};
 * GPT-2, Llama and Qwen2 classes) as {@link LanguageModel}s, so {@code llm generate}, {@code llm
 * eval} and {@code llm serve} run an imported model exactly as a Kiln checkpoint. Options: {@code
 * threads} (the engine's intra-op threads) and {@code device} ({@code cpu}, the default, {@code
 * auto}, {@code cuda}, {@code cuda:N}).
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModels.open("models/SmolLM2-135M")) { ... }
 * }</pre>
 */
public final class HfModelProvider implements LanguageModelProvider {

    @Override
    public String name() {
        return "huggingface";
    }

    @Override
    public boolean canOpen(String location) {
        try {
            return HfModels.isModelDir(Path.of(location));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    @Override
    public LanguageModel open(String location, Map<String, String> options) throws IOException {
        Path dir = Path.of(location);
        String threads = options.get("threads");
        if (threads != null) {
            dev.kiln.train.Devices.setThreads(Integer.parseInt(threads), 1);
        }
        ModelDir.Loaded l =
                HfModels.importModel(dir, dev.kiln.train.Devices.device(options.getOrDefault("device", "cpu")));
        Path name = dir.toAbsolutePath().normalize().getFileName();
        try {
            return GptLanguageModel.builder()
                    .setModel(l.model())
                    .setTokenizer(l.tokenizer())
                    .optId(name == null ? location : name.toString())
                    .optOwnsModel(true)
                    .optOptions(options)
                    .optChatTemplate(ChatTemplates.read(dir).orElse(null))
                    .build();
        } catch (RuntimeException e) {
            l.model().close();
            throw e;
        }
    }
}
