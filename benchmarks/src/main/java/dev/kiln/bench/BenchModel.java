package dev.kiln.bench;

import dev.kiln.train.GptConfig;
import picocli.CommandLine.Option;

/**
 * The training benchmarks' model, as a picocli mixin ({@code @Mixin BenchModel model;}) so that
 * {@link TrainStepBench} and {@link ProfileStep} take the same {@code --arch} and {@code --d-model}:
 * vocabulary 256, T=128, 2 layers, heads of 32; the llama preset gets {@code d/64} key/value heads,
 * 2 at d=128 as {@code benchmarks/compare/torch_tiny_llama.py}.
 */
final class BenchModel {

    @Option(names = "--arch", defaultValue = "gpt2", description = "gpt2 or llama (default: ${DEFAULT-VALUE})")
    GptConfig.Arch arch;

    @Option(
            names = "--d-model",
            defaultValue = "128",
            description = "model width, heads of 32 (default: ${DEFAULT-VALUE})")
    int dModel;

    /** The model of these options. */
    GptConfig config() {
        GptConfig.Builder cb = GptConfig.builder()
                .optArch(arch)
                .setVocabSize(256)
                .setContextLength(128)
                .optDModel(dModel)
                .optHeads(Math.max(1, dModel / 32))
                .optLayers(2);
        if (arch == GptConfig.Arch.LLAMA) {
            cb.optKvHeads(Math.max(1, dModel / 64));
        }
        return cb.build();
    }
}
