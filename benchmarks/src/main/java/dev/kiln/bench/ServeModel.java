package dev.kiln.bench;

import ai.djl.Device;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the model the serving benchmarks run on: a Kiln Llama-family checkpoint directory (RoPE,
 * RMSNorm, SwiGLU, grouped-query attention; d=256, 4 layers, 8 heads over 2 KV heads, context
 * 2048) with a byte-level BPE tokenizer of 8,192 ids trained on Kiln's own Java sources (all modules) (with the
 * FIM special tokens). The weights are freshly initialised (seed 1): serving cost does not depend
 * on what the weights are, only on their shapes, and the outputs of a randomly initialised model
 * are not what the benchmark measures.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar:benchmarks/target/lib/* dev.kiln.bench.ServeModel target/serve-model
 * </pre>
 */
public final class ServeModel {

    private ServeModel() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ServeModel OUT_DIR");
        }
        Path out = Path.of(args[0]);
        List<String> texts = new java.util.ArrayList<>();
        for (String module : List.of(
                "llm-core",
                "llm-data",
                "llm-tokenize",
                "llm-train",
                "llm-eval",
                "llm-serve",
                "examples",
                "benchmarks")) {
            texts.addAll(ServeLoad.sources(module));
        }
        BpeTokenizer tok =
                BpeTrainer.builder().setVocabSize(8192).optThreads(2).build().train(texts);
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(tok.vocabSize())
                .setContextLength(2048)
                .optDModel(256)
                .optHeads(8)
                .optKvHeads(2)
                .optLayers(4)
                .build();
        try (GptModel model = GptModel.create(cfg, 1, Device.cpu())) {
            ModelDir.write(out, model, tok);
            System.out.printf(
                    "wrote %s: %s, %,d parameters, tokenizer %d ids%n",
                    out, cfg, model.countParameters(), tok.vocabSize());
        }
        if (!Files.isRegularFile(out.resolve(ModelDir.CONFIG))) {
            throw new IllegalStateException("no config.json in " + out);
        }
    }
}
