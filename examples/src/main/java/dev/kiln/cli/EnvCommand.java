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
        description = "Show Kiln's, Java's and the machine's versions and the tools Kiln can use.")
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
        out.printf("python3     %s%n", onPath("python3"));
        out.printf(
                "javac       %s%n",
                Path.of(System.getProperty("java.home"), "bin", "javac")
                                .toFile()
                                .canExecute()
                        ? "yes (" + System.getProperty("java.home") + ")"
                        : "no (a JRE without javac: Java HumanEval needs a JDK)");
        out.printf(
                "src.zip     %s%n",
                Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "src.zip"))
                        ? Path.of(System.getProperty("java.home"), "lib", "src.zip")
                        : "absent");
        out.flush();
        return 0;
    }

    static String onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        return "not found";
    }
}
