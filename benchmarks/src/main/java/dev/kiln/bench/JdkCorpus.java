package dev.kiln.bench;

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

/** Real code for benchmarks: files of the running JDK's lib/src.zip. */
final class JdkCorpus {

    private JdkCorpus() {}

    static Path srcZip() {
        Path p = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("this JDK has no lib/src.zip (" + p + "); run the benchmark on a full JDK");
        }
        return p;
    }

    /** Files ending in {@code suffix}, in zip order, until {@code maxBytes} of content. */
    static List<Document> load(String suffix, long maxBytes) {
        List<Document> out = new ArrayList<>();
        long total = 0;
        try (ZipFile zip = new ZipFile(srcZip().toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements() && total < maxBytes) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(suffix)) {
                    continue;
                }
                byte[] b = zip.getInputStream(e).readAllBytes();
                total += b.length;
                out.add(Document.fromSource("jdk-src", e.getName(), new String(b, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
