package dev.kiln.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The benchmarks' command lines: picocli, as the {@code llm} CLI, with one error convention. Every
 * benchmark main is a {@code @Command} with {@code --help}; a bad option or value (picocli's parse
 * errors, {@link #bad}, or an {@link IllegalArgumentException} from a Kiln builder's setter) prints
 * one line, {@code NAME: problem}, and exits 2; a missing file or other I/O failure prints one line
 * and exits 1. Anything else is a bug in the benchmark and keeps its stack trace.
 *
 * <pre>{@code
 * @Command(name = "MatmulPeak", mixinStandardHelpOptions = true, description = "...")
 * public final class MatmulPeak implements Callable<Integer> {
 *     @Option(names = "--d-model", defaultValue = "256") int dModel;
 *     public static void main(String[] args) { BenchCli.run(new MatmulPeak(), args); }
 *     public Integer call() { ...; return 0; }
 * }
 * }</pre>
 */
public final class BenchCli {

    private BenchCli() {}

    /** Runs {@code command} on {@code args} and exits the JVM with its exit code. */
    public static void run(Object command, String... args) {
        System.exit(execute(command, args));
    }

    /** Runs {@code command} on {@code args} and returns the exit code (0, 1 or 2; for tests). */
    public static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, a) -> fail(e.getCommandLine(), e.getMessage() + " (see --help)", 2));
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (t instanceof IllegalArgumentException) {
                return fail(c, t.getMessage(), 2);
            }
            if (t instanceof NoSuchFileException nsf) {
                return fail(c, "no such file: " + nsf.getFile(), 1);
            }
            if (t instanceof IOException) {
                return fail(c, "I/O error: " + t.getMessage(), 1);
            }
            throw e;
        });
        return cl.execute(args);
    }

    /**
     * A value the options' types accept but the benchmark cannot use (a negative count, say), for
     * {@code throw BenchCli.bad(spec, "--steps must be >= 40, got %d", steps)}.
     */
    public static ParameterException bad(CommandSpec spec, String format, Object... args) {
        return new ParameterException(spec.commandLine(), String.format(java.util.Locale.ROOT, format, args));
    }

    private static int fail(CommandLine cl, String message, int code) {
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message);
        err.flush();
        return code;
    }
}
