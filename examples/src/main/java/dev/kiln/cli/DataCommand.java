package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm data}: curate a code corpus. One subcommand per task; each is a few lines over llm-data's API. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Curate a code corpus: read sources, filter, deduplicate, write a dataset.",
        subcommands = {DataRunCommand.class, DataPiiCommand.class, DataDedupeCommand.class})
final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
