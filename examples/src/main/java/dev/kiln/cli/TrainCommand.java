package dev.kiln.cli;

import dev.kiln.train.TrainConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.TrainRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm train}: trains a GPT model from a YAML config, resuming from the newest checkpoint. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a decoder-only model (Llama or GPT-2 architecture) from a YAML config (see llm-train/CONFIG.md);"
                        + " reruns resume from the newest valid checkpoint.")
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--config", required = true, description = "the run's YAML file")
    Path config;

    @CommandLine.Option(names = "--set", description = "override a key, e.g. --set optimizer.lr=3e-4 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @CommandLine.Option(names = "--no-resume", description = "start over even when checkpoints exist")
    boolean noResume;

    @Override
    public Integer call() throws Exception {
        TrainResult r = TrainRun.run(TrainConfig.load(config, overrides), !noResume);
        spec.commandLine()
                .getOut()
                .printf(
                        "trained %d steps (resumed from %d): loss %.4f, val loss %.4f, checkpoint %s%n",
                        r.steps(), r.resumedFrom(), r.lastLoss(), r.lastValLoss(), r.lastCheckpoint());
        return 0;
    }
}
