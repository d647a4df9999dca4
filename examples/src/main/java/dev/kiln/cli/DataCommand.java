package dev.kiln.cli;

import picocli.CommandLine.Command;

/** {@code llm data}: curate a code corpus. One subcommand per task; each is a few lines over llm-data's API. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Curate a code corpus: read sources, filter, deduplicate, write a dataset.",
        subcommands = {DataRunCommand.class, DataPiiCommand.class, DataDedupeCommand.class})
final class DataCommand extends CommandGroup {}
