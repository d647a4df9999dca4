package dev.kiln.cli;

import dev.kiln.data.parse.ParsableFilter;
import dev.kiln.eval.exec.Sandbox;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What each optional capability of Kiln needs, and whether this machine has it: one probe per line,
 * each quick (file checks, at most a {@code --version} call), none of them loading a native engine.
 */
final class Capabilities {

    /** One optional capability: what it is for, what it needs, and what was found. */
    record Check(String capability, String needs, boolean present, String detail) {}

    private final Path lib;
    private final String path;

    /**
     * @param lib the CLI's lib folder (the launcher passes {@code -Dkiln.lib}), or null
     * @param path the {@code PATH} to search for programs
     */
    Capabilities(Path lib, String path) {
        this.lib = lib;
        this.path = path == null ? "" : path;
    }

    List<Check> all() {
        List<Check> out = new ArrayList<>();
        out.add(python());
        out.add(javac());
        out.add(sandbox());
        out.add(treeSitter());
        out.add(spark());
        out.add(llamaCpp());
        out.add(chromium());
        out.add(gpu());
        return out;
    }

    Check python() {
        Path py = onPath("python3");
        String needs = "python3 on PATH";
        if (py == null) {
            return new Check("HumanEval (Python) execution", needs, false, "not found (apt-get install python3)");
        }
        return new Check("HumanEval (Python) execution", needs, true, py + " " + firstLine(py, "--version"));
    }

    Check javac() {
        Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
        boolean ok = Files.isExecutable(javac);
        return new Check(
                "HumanEval-X (Java) execution",
                "a JDK (javac), not a JRE",
                ok,
                ok ? javac.toString() : "this Java has no javac: run Kiln on a JDK 25");
    }

    Check sandbox() {
        Sandbox s = Sandbox.detect();
        return new Check(
                "sandboxed execution of samples",
                "Linux namespaces (unshare) for FULL",
                s.isolation() == Sandbox.Isolation.FULL,
                s.isolation() + ": " + s.description());
    }

    Check treeSitter() {
        var langs = ParsableFilter.treeSitterLanguages();
        return new Check(
                "parsable stage beyond Java (tree-sitter)",
                "Java 23+ and the bundled grammars",
                !langs.isEmpty(),
                langs.isEmpty()
                        ? "none loaded (Java " + Runtime.version().feature() + "; Java is still checked)"
                        : langs.size() + " grammars: "
                                + String.join(" ", langs.stream().sorted().toList()));
    }

    Check spark() {
        boolean loaded = SparkClassPath.present();
        Path dir = lib == null ? null : lib.resolve("spark");
        long jars = dir == null ? 0 : countJars(dir);
        String needs = "Spark 4 jars (lib/spark, added for --engine spark)";
        if (loaded) {
            return new Check("--engine spark (dedup on Spark)", needs, true, "Spark is on the class path");
        }
        if (jars > 0) {
            return new Check(
                    "--engine spark (dedup on Spark)",
                    needs,
                    true,
                    jars + " jars in " + dir + " (loaded only for --engine spark)");
        }
        return new Check("--engine spark (dedup on Spark)", needs, false, "no Spark jars found");
    }

    Check llamaCpp() {
        String needs = "node + npm package node-llama-cpp";
        Path node = onPath("node");
        if (node == null) {
            return new Check("GGUF checks against llama.cpp", needs, false, "node not found (apt-get install nodejs)");
        }
        List<Path> roots = new ArrayList<>();
        String nodePath = System.getenv("NODE_PATH");
        if (nodePath != null) {
            for (String p : nodePath.split(File.pathSeparator)) {
                if (!p.isEmpty()) {
                    roots.add(Path.of(p));
                }
            }
        }
        roots.add(Path.of("node_modules").toAbsolutePath());
        roots.add(Path.of("/usr/local/lib/node_modules"));
        roots.add(Path.of("/usr/lib/node_modules"));
        for (Path r : roots) {
            if (Files.isRegularFile(r.resolve("node-llama-cpp").resolve("package.json"))) {
                return new Check(
                        "GGUF checks against llama.cpp",
                        needs,
                        true,
                        r.resolve("node-llama-cpp").toString());
            }
        }
        return new Check(
                "GGUF checks against llama.cpp",
                needs,
                false,
                node + ", but no node-llama-cpp in ./node_modules, NODE_PATH or the global folders"
                        + " (npm install node-llama-cpp)");
    }

    Check chromium() {
        String needs = "chromium (the playground's browser test)";
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            Path p = onPath(name);
            if (p != null) {
                return new Check("playground browser test", needs, true, p.toString());
            }
        }
        return new Check("playground browser test", needs, false, "not found (apt-get install chromium)");
    }

    Check gpu() {
        String needs = "an NVIDIA GPU + a CUDA build of PyTorch's native library";
        String natives = nativeFlavour();
        Path smi = onPath("nvidia-smi");
        boolean device = Files.exists(Path.of("/dev/nvidia0")) || smi != null;
        if (!device) {
            return new Check(
                    "GPU training", needs, false, "no NVIDIA device; training runs on the CPU (" + natives + ")");
        }
        String name = smi == null ? "an NVIDIA device" : firstLine(smi, "--query-gpu=name", "--format=csv,noheader");
        boolean cuda = natives.contains("cu");
        return new Check(
                "GPU training",
                needs,
                cuda,
                name + (cuda ? ", " + natives : ", but this build bundles " + natives + " (CPU only)"));
    }

    /** Which PyTorch native library the class path carries (pytorch-native-cpu or a CUDA flavour). */
    private String nativeFlavour() {
        Stream<String> names;
        if (lib != null && Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                names = s.map(p -> p.getFileName().toString()).toList().stream();
            } catch (IOException e) {
                names = Stream.empty();
            }
        } else {
            names = Stream.of(System.getProperty("java.class.path", "").split(File.pathSeparator))
                    .map(p -> Path.of(p).getFileName() == null
                            ? p
                            : Path.of(p).getFileName().toString());
        }
        return names.filter(n -> n.startsWith("pytorch-native-"))
                .map(n -> n.replaceAll("-linux-.*|\\.jar$", ""))
                .findFirst()
                .orElse("no PyTorch native library");
    }

    private static long countJars(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    Path onPath(String program) {
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program);
            }
        }
        return null;
    }

    /** The first line a program prints (stdout and stderr), or "?" when it fails or hangs. */
    private static String firstLine(Path program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "?";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
