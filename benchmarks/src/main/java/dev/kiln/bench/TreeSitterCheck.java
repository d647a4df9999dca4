package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.data.parse.ParsableFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code parsable} stage's drop rate on valid code of tree-sitter languages (the bar: at most
 * 0.5% of the files the language's own checker accepts): every Python file of a CPython standard
 * library that {@code python3 -m py_compile} accepts, and every JavaScript file of npm's own {@code
 * lib/} that {@code node --check} accepts; each with tree-sitter alone ({@code recheck: off}) and
 * with the re-check ({@code recheck: auto}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar dev.kiln.bench.TreeSitterCheck \
 *     [--python-stdlib /usr/lib/python3.11] [--npm-lib /usr/lib/node_modules/npm/lib]
 * </pre>
 *
 * <p>{@code -} in place of a directory skips that language.
 */
@Command(
        name = "TreeSitterCheck",
        mixinStandardHelpOptions = true,
        description = "The parsable stage's drop rate on Python and JavaScript files that python3 -m py_compile"
                + " and node --check accept (bar: at most 0.5%%).")
public final class TreeSitterCheck implements Callable<Integer> {

    @Option(
            names = "--python-stdlib",
            defaultValue = "/usr/lib/python3.11",
            description = "a CPython standard library, or - to skip Python (default: ${DEFAULT-VALUE})")
    String stdlib;

    @Option(
            names = "--npm-lib",
            defaultValue = "/usr/lib/node_modules/npm/lib",
            description = "npm's lib/, or - to skip JavaScript (default: ${DEFAULT-VALUE})")
    String npm;

    @Spec
    CommandSpec spec;

    private TreeSitterCheck() {}

    public static void main(String[] args) {
        BenchCli.run(new TreeSitterCheck(), args);
    }

    @Override
    public Integer call() throws IOException {
        for (String dir : List.of(stdlib, npm)) {
            if (!dir.equals("-") && !Files.isDirectory(Path.of(dir))) {
                throw BenchCli.bad(spec, "no such directory: %s (- skips the language)", dir);
            }
        }
        if (!stdlib.equals("-")) {
            python(Path.of(stdlib));
        }
        if (!npm.equals("-")) {
            javascript(Path.of(npm));
        }
        return 0;
    }

    private static void python(Path stdlib) throws IOException {
        List<Path> py = files(stdlib, ".py").stream()
                .filter(p -> !p.toString().contains("/site-packages/")
                        && !p.toString().contains("/dist-packages/")
                        && !p.toString().contains("lib2to3/tests/data"))
                .filter(p -> accepts(p, "python3", "-m", "py_compile", p.toString()))
                .collect(Collectors.toList());
        report("python", "python3 -m py_compile", py, true);
    }

    private static void javascript(Path npm) throws IOException {
        List<Path> js = files(npm, ".js").stream()
                .filter(p -> accepts(p, "node", "--check", p.toString()))
                .collect(Collectors.toList());
        report("javascript", "node --check", js, false);
    }

    private static List<Path> files(Path root, String ext) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(ext)).sorted().collect(Collectors.toList());
        }
    }

    /** Whether the checker exits with 0 (py_compile writes its .pyc to a throwaway prefix). */
    private static boolean accepts(Path file, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PYTHONPYCACHEPREFIX", System.getProperty("java.io.tmpdir") + "/kiln-pycache");
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0] + " (needed to select valid files): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static void report(String language, String checker, List<Path> files, boolean latin1) throws IOException {
        ParsableFilter auto = ParsableFilter.create();
        ParsableFilter off = auto.withRecheck(ParsableFilter.Recheck.OFF);
        List<String> droppedOff = new ArrayList<>();
        List<String> droppedAuto = new ArrayList<>();
        List<String> rescued = new ArrayList<>();
        int unchecked = 0;
        for (Path p : files) {
            String text = Files.readString(p, latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            Document d = Document.fromSource("bench", p.toString(), text);
            ParsableFilter.Outcome o = off.check(d);
            if (o == ParsableFilter.Outcome.UNCHECKED) {
                unchecked++;
            }
            if (o == ParsableFilter.Outcome.BROKEN) {
                droppedOff.add(p.getFileName().toString());
                ParsableFilter.Outcome a = auto.check(d);
                if (a == ParsableFilter.Outcome.RESCUED) {
                    rescued.add(p.getFileName().toString());
                } else {
                    droppedAuto.add(p.getFileName().toString());
                }
            }
        }
        int n = files.size();
        System.out.printf(
                Locale.ROOT,
                "%s: %d files %s accepts (%d unchecked); recheck off: %d dropped (%.2f%%) %s; recheck auto: %d dropped"
                        + " (%.2f%%) %s, rescued %s%n",
                language,
                n,
                checker,
                unchecked,
                droppedOff.size(),
                100.0 * droppedOff.size() / Math.max(1, n),
                droppedOff,
                droppedAuto.size(),
                100.0 * droppedAuto.size() / Math.max(1, n),
                droppedAuto,
                rescued);
    }
}
