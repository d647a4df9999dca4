package dev.kiln.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Kiln's own Java sources, found from the working directory: the one walk that the tests' corpus
 * ({@link TestCorpus}) and the serving benchmarks' prompts share. Shipped in llm-tokenize's test
 * jar, which the benchmarks module depends on.
 *
 * <pre>{@code
 * List<String> core = RepoSources.texts(RepoSources.javaFiles("llm-core"));
 * }</pre>
 */
public final class RepoSources {

    private RepoSources() {}

    /**
     * The repository root: the nearest directory at or above the working directory that holds
     * {@code mvnw} and {@code llm-core/}.
     *
     * @throws IllegalStateException when run from outside a Kiln checkout
     */
    public static Path root() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("mvnw")) && Files.isDirectory(p.resolve("llm-core"))) {
                return p;
            }
        }
        throw new IllegalStateException("no Kiln checkout at or above " + start + ": run from inside the repository");
    }

    /** The {@code .java} files under each module's {@code src/main/java}, module by module, each sorted by path. */
    public static List<Path> javaFiles(String... modules) {
        Path root = root();
        List<Path> out = new ArrayList<>();
        for (String module : modules) {
            try (Stream<Path> s = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                out.addAll(
                        s.filter(f -> f.toString().endsWith(".java")).sorted().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The files' contents (UTF-8), in order. */
    public static List<String> texts(List<Path> files) {
        List<String> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                out.add(Files.readString(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
