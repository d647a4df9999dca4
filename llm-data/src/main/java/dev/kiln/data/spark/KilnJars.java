package dev.kiln.data.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The jars executors need for Kiln's stages: the ones holding llm-data's and llm-core's classes. A
 * class directory (an IDE or a test run before {@code package}) is packed into a temporary jar
 * once per JVM, so a cluster gets Kiln's classes the same way in every setting.
 */
final class KilnJars {

    private static List<String> cached;

    private KilnJars() {}

    /** Paths of the jars to ship with {@code spark.jars}. */
    static synchronized List<String> forExecutors() {
        if (cached == null) {
            Set<Path> locations = new LinkedHashSet<>();
            locations.add(location(KilnJars.class));
            locations.add(location(dev.kiln.core.Document.class));
            List<String> jars = new ArrayList<>();
            for (Path p : locations) {
                jars.add((Files.isDirectory(p) ? pack(p) : p).toAbsolutePath().toString());
            }
            cached = List.copyOf(jars);
        }
        return cached;
    }

    private static Path location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new IllegalStateException("cannot tell which jar holds " + c.getName() + " to ship it to executors");
        }
        try {
            return Path.of(cs.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad class location " + cs.getLocation() + " of " + c.getName(), e);
        }
    }

    private static Path pack(Path dir) {
        try {
            Path jar = Files.createTempFile("kiln-classes-", ".jar");
            jar.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(jar);
                    JarOutputStream j = new JarOutputStream(out);
                    Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    String name = dir.relativize(f).toString().replace('\\', '/');
                    if (Files.isRegularFile(f) && !name.startsWith("META-INF/versions/")) {
                        j.putNextEntry(new JarEntry(name));
                        Files.copy(f, j);
                        j.closeEntry();
                    }
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot pack " + dir + " into a jar for the executors: " + e.getMessage(), e);
        }
    }
}
