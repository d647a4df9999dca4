package dev.kiln.cli;

import dev.kiln.core.KilnVersion;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm env}: what Kiln sees of this machine -- versions, cores, memory, external tools. */
@Command(
        name = "env",
        mixinStandardHelpOptions = true,
        description = "Show Kiln's, Java's and the machine's versions, and for each optional capability"
                + " (HumanEval execution, sandbox, tree-sitter, Spark, llama.cpp checks, browser test, GPU)"
                + " what it needs and whether it is here.")
final class EnvCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        out.printf("kiln        %s%n", KilnVersion.get());
        out.printf(
                "java        %s (%s) at %s%n",
                System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("java.home"));
        out.printf(
                "os          %s %s %s%n",
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.printf("cores       %d%n", rt.availableProcessors());
        out.printf("max heap    %d MiB%n", rt.maxMemory() >> 20);
        out.printf(
                "src.zip     %s%n",
                Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "src.zip"))
                        ? Path.of(System.getProperty("java.home"), "lib", "src.zip")
                        : "absent (the quickstart's corpus uses the JDK's own sources)");
        String lib = System.getProperty("kiln.lib");
        out.printf("class path  %s%n", classPath(lib));
        out.println();
        out.println("optional capabilities (what each needs: whether it is here)");
        for (Capabilities.Check c : new Capabilities(lib == null ? null : Path.of(lib), System.getenv("PATH")).all()) {
            out.printf("  %-3s %-40s needs %s%n", c.present() ? "yes" : "no", c.capability(), c.needs());
            out.printf("      %s%n", c.detail());
        }
        out.flush();
        return 0;
    }

    /** How many jars the CLI runs with, and how many megabytes they are. */
    static String classPath(String lib) {
        long jars = 0;
        long bytes = 0;
        for (String e : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                jars++;
                bytes += p.toFile().length();
            }
        }
        return jars + " jars, " + (bytes >> 20) + " MiB" + (lib == null ? "" : " (lib: " + lib + ")");
    }
}
