package dev.kiln.data.testing;

import dev.kiln.core.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;

/** Real source files from the running JDK's {@code lib/src.zip}, for tests over real code. */
public final class JdkSources {

    private JdkSources() {}

    /** The JDK's src.zip (the test is skipped when this JDK ships none). */
    public static Path srcZip() {
        Path p = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        Assumptions.assumeTrue(Files.isRegularFile(p), "this JDK has no lib/src.zip");
        return p;
    }

    /**
     * Every {@code every}-th file ending in {@code suffix}, in zip order, at most {@code limit}
     * files, as documents with source "jdk-src".
     */
    public static List<Document> sample(String suffix, int every, int limit) {
        List<Document> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(srcZip().toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            int seen = 0;
            while (en.hasMoreElements() && out.size() < limit) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(suffix)) {
                    continue;
                }
                if (seen++ % every != 0) {
                    continue;
                }
                byte[] bytes = zip.getInputStream(e).readAllBytes();
                out.add(Document.fromSource("jdk-src", e.getName(), new String(bytes, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A classpath resource's text (e.g. from a webjar). */
    public static String resource(String name) {
        try (var in = JdkSources.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
