package dev.kiln.cli;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.core.KilnVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llm} command: one subcommand per stage, each a few lines over a public API.
 *
 * <p>Errors are one line on standard error ({@code llm: <problem>}), never a stack trace; set
 * {@code KILN_DEBUG=1} to see the trace. Exit codes: 0 success, 1 failure, 2 bad usage. Other
 * libraries log at WARN and Kiln at INFO; {@code --verbose} or {@code KILN_LOG=debug} shows everything.
 */
@Command(
        name = "llm",
        mixinStandardHelpOptions = true,
        versionProvider = Llm.Version.class,
        description = "Kiln: build code LLMs end to end -- curate, tokenize, train, evaluate, serve.",
        subcommands = {
            CommandLine.HelpCommand.class,
            EnvCommand.class,
            DataCommand.class,
            TokenizerCommand.class,
            TokenizeCommand.class,
            TrainCommand.class,
            RunsCommand.class,
            GenerateCommand.class,
            ExportCommand.class,
            EvalCommand.class,
            ServeCommand.class,
            QuickstartCommand.class
        })
public final class Llm implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Show every library's log lines (DEBUG); by default other libraries log at WARN"
                    + " and Kiln at INFO. KILN_LOG=error|warn|info|debug|trace sets one level for all.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Llm());
        cl.setExecutionExceptionHandler(Llm::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        String problem = CliLogging.configure(args, System.getenv(CliLogging.ENV));
        if (problem != null) {
            System.err.println("llm: " + problem);
            System.exit(2);
        }
        System.exit(execute(args));
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (System.getenv("KILN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        String msg;
        if (t instanceof NoSuchFileException nsf) {
            msg = "no such file: " + nsf.getFile() + (nsf.getReason() == null ? "" : " (" + nsf.getReason() + ")");
        } else if (t instanceof CorruptArtifactException
                || t instanceof KilnEnvironmentException
                || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException) {
            msg = t.getMessage();
        } else if (t instanceof IOException) {
            msg = "I/O error: " + t.getMessage();
        } else {
            msg = t.getClass().getSimpleName() + ": " + t.getMessage() + " (set KILN_DEBUG=1 for the stack trace)";
        }
        err.println(cl.getColorScheme().errorText(cl.getCommandName() + ": " + msg));
        err.flush();
        return t instanceof IllegalArgumentException ? 2 : 1;
    }

    /** Prints Kiln's, Java's and the OS's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "Kiln " + KilnVersion.get(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch")
            };
        }
    }
}
