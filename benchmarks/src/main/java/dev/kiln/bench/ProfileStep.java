package dev.kiln.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Profiles the {@link TrainStepBench} model's training steps with libtorch's autograd profiler
 * (steps 21–30) and writes a Chrome trace. {@code --arch llama --d-model 256} profiles the llama
 * preset at that width (heads of 32, {@code d/64} key/value heads, as {@code TrainStepBench}); the
 * default is GPT-2 at d=128.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.ProfileStep [--arch gpt2|llama] [--d-model 128] [--shapes] [TRACE.json]
 * </pre>
 */
@Command(
        name = "ProfileStep",
        mixinStandardHelpOptions = true,
        description = "libtorch's autograd profile of training steps 21-30 as a Chrome trace.")
public final class ProfileStep implements Callable<Integer> {

    @Parameters(
            arity = "0..1",
            paramLabel = "TRACE",
            defaultValue = "train-step-trace.json",
            description = "the trace file to write (default: ${DEFAULT-VALUE})")
    String out;

    @Mixin
    BenchModel model;

    @Option(names = "--shapes", description = "record the operators' input shapes too")
    boolean shapes;

    public static void main(String[] args) {
        BenchCli.run(new ProfileStep(), args);
    }

    @Override
    public Integer call() throws Exception {
        int[] data = new int[200_000];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(256);
        }
        GptConfig cfg = model.config();
        try (Trainer trainer = Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(new ByteTokenizer(List.of()))
                .setTrainData(new InMemorySequences(data, 128))
                .optBatchSize(8)
                .optMaxSteps(30)
                .optWarmupSteps(0)
                .optMinLearningRate(1e-3)
                .optEvalInterval(0)
                .optThreads(1, 1)
                .optMetricsSink(m -> {
                    if (m.step() == 20) {
                        JniUtils.startProfile(false, shapes, false);
                    }
                })
                .build()) {
            trainer.fit();
        }
        JniUtils.stopProfile(out);
        return 0;
    }
}
