package dev.kiln.cli;

import dev.kiln.examples.Quickstart;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm quickstart}: the whole chain on the bundled corpus, offline; see {@link Quickstart}. */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {
            "Curate a corpus of real permissively licensed code (bundled sources jars + the JDK's src.zip),"
                    + " train a BPE tokenizer, write FIM token shards, train a small Llama-architecture model, evaluate it on HumanEval-X"
                    + " Java and HumanEval Python, then serve it and complete a Java snippet over HTTP.",
            "Offline, about ten minutes on two cores. Reruns skip finished stages and resume an interrupted training."
        })
final class QuickstartCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--workdir",
            defaultValue = "kiln-quickstart",
            paramLabel = "DIR",
            description = "Where every artifact goes (default: ${DEFAULT-VALUE}).")
    Path workdir;

    @Option(
            names = "--minutes",
            defaultValue = "5",
            paramLabel = "N",
            description = "Training time budget in minutes (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(
            names = "--eval-problems",
            paramLabel = "N",
            description = "Evaluate the trained model on the first N problems of each benchmark (default: all 164);"
                    + " the canonical self-check uses the same problems.")
    Integer evalProblems;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "libtorch threads for training and evaluation (default: 2, or 1 on a one-core machine).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Quickstart.Builder b = Quickstart.builder();
        if (evalProblems != null) {
            b.optEvalLimit(evalProblems);
        }
        if (threads != null) {
            b.optThreads(threads);
        }
        Quickstart.Result r = b.optWorkdir(workdir)
                .optTrainMinutes(minutes)
                .optOutput(line -> {
                    out.println(line);
                    out.flush();
                })
                .build()
                .run();
        out.println();
        out.print(r.summary());
        out.flush();
        return 0;
    }
}
