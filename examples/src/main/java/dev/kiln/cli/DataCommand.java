package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm data}: curate code datasets. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Curate code datasets: redact PII, filter, deduplicate.",
        subcommands = {DataPiiCommand.class})
final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
