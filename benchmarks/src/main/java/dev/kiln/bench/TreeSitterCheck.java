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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code parsable} stage's drop rate on valid code of tree-sitter languages (the bar: at most
 * 0.5% of the files the language's own checker accepts): every Python file of a CPython standard
 * library that {@code python3 -m py_compile} accepts, and every JavaScript file of npm's own {@code
 * lib/} that {@code node --check} accepts; each with tree-sitter alone ({@code recheck: off}) and
 * with the re-check ({@code recheck: auto}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar dev.kiln.bench.TreeSitterCheck \
 *     [python-stdlib, default /usr/lib/python3.11] [npm lib, default /usr/lib/node_modules/npm/lib]
 * </pre>
 *
 * <p>{@code -} in place of a directory skips that language.
 */
public final class TreeSitterCheck {

    private TreeSitterCheck() {}

    public static void main(String[] args) throws Exception {
        String stdlib = args.length > 0 ? args[0] : "/usr/lib/python3.11";
        String npm = args.length > 1 ? args[1] : "/usr/lib/node_modules/npm/lib";
        if (!stdlib.equals("-")) {
            python(Path.of(stdlib));
        }
        if (!npm.equals("-")) {
            javascript(Path.of(npm));
        }
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
