package dev.kiln.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A leaf command: its spec, and the command line's output, which tests capture (so a subcommand
 * prints through {@link #out()} or {@link #done(String)}, never {@code System.out}).
 */
abstract class Subcommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The command line's standard output. */
    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code line}, flushes and returns exit code 0: a command's last statement. */
    final int done(String line) {
        PrintWriter out = out();
        out.println(line);
        out.flush();
        return 0;
    }
}
