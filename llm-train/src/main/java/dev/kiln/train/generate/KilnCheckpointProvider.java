package dev.kiln.train.generate;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModelProvider;
import dev.kiln.train.ModelDir;
import dev.kiln.train.ckpt.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens Kiln checkpoints as {@link LanguageModel}s: a model directory ({@code config.json} +
 * {@code model.params}) or a checkpoint folder with a {@code latest} pointer (the newest valid
 * checkpoint is used). Options: {@code threads} (the engine's intra-op threads) and {@code device} ({@code cpu}, the
 * default, {@code auto}, {@code cuda}, {@code cuda:N}).
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModels.open("runs/tiny/checkpoints")) { ... }
 * }</pre>
 */
public final class KilnCheckpointProvider implements LanguageModelProvider {

    @Override
    public String name() {
        return "kiln-checkpoint";
    }

    @Override
    public boolean canOpen(String location) {
        try {
            Path p = Path.of(location);
            return Files.isRegularFile(p.resolve(ModelDir.CONFIG)) && Files.isRegularFile(p.resolve(ModelDir.PARAMS))
                    || Files.isRegularFile(p.resolve(Checkpoints.LATEST));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    @Override
    public LanguageModel open(String location, Map<String, String> options) throws IOException {
        Path p = Path.of(location);
        Path dir = p;
        if (!Files.isRegularFile(p.resolve(ModelDir.CONFIG))) {
            dir = Checkpoints.newestValid(p)
                    .orElseThrow(() -> new java.nio.file.NoSuchFileException(
                            p.toString(), null, "no valid checkpoint in this folder"));
        }
        String threads = options.get("threads");
        if (threads != null) {
            dev.kiln.train.Devices.setThreads(Integer.parseInt(threads), 1);
        }
        ModelDir.Loaded l = ModelDir.read(dir, dev.kiln.train.Devices.device(options.getOrDefault("device", "cpu")));
        try {
            return GptLanguageModel.builder()
                    .setModel(l.model())
                    .setTokenizer(l.tokenizer())
                    .optId(dir.getFileName().toString())
                    .optOwnsModel(true)
                    .optOptions(options)
                    .build();
        } catch (RuntimeException e) {
            l.model().close();
            throw e;
        }
    }
}
