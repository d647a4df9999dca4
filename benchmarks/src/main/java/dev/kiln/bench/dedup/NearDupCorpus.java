package dev.kiln.bench.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A near-duplicate corpus from real source files: {@code originals} Java files from a JDK {@code
 * src.zip}, plus {@code copies} mutated copies of random earlier documents (originals or copies,
 * so clusters grow chains), shuffled. Mutations are graded: each copy gets a random strength in
 * [0, 0.4) that scales token edits, inserted and deleted lines, and consistent identifier renames,
 * so that copies fall on both sides of a 0.7 Jaccard threshold.
 */
public final class NearDupCorpus {

    /** One document. */
    public record Doc(String id, String content) {}

    private static final Pattern IDENT = Pattern.compile("\\b[A-Za-z_][A-Za-z_0-9]{2,}\\b");

    private NearDupCorpus() {}

    /** The JDK's own {@code lib/src.zip}. */
    public static Path jdkSrcZip() {
        return Path.of(System.getProperty("java.home"), "lib", "src.zip");
    }

    /** The JDK corpus: Java files from {@code srcZip} and copies mutated by {@link #mutate}. */
    public static List<Doc> build(Path srcZip, int originals, int copies, long seed) throws IOException {
        if (!Files.isRegularFile(srcZip)) {
            throw new IOException("no JDK src.zip at " + srcZip + "; install a full JDK (e.g. Temurin) with sources");
        }
        Random rnd = new Random(seed);
        List<Doc> docs = new ArrayList<>();
        try (ZipFile zip = new ZipFile(srcZip.toFile())) {
            List<ZipEntry> java = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                if (z.getName().endsWith(".java") && z.getSize() > 200 && z.getSize() < 400_000) {
                    java.add(z);
                }
            }
            java.sort((a, b) -> a.getName().compareTo(b.getName()));
            Collections.shuffle(java, rnd);
            for (int i = 0; i < Math.min(originals, java.size()); i++) {
                ZipEntry z = java.get(i);
                try (InputStream in = zip.getInputStream(z)) {
                    docs.add(new Doc("orig/" + z.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        return withCopies(docs, copies, rnd, NearDupCorpus::mutate);
    }

    /** A mutation of a document's text with a strength in [0, 0.4). */
    @FunctionalInterface
    public interface Mutator {
        String mutate(String text, double strength, Random rnd);
    }

    /**
     * Adds {@code copies} mutated copies of random earlier documents (mostly originals, some copies,
     * so clusters grow chains) and shuffles.
     */
    static List<Doc> withCopies(List<Doc> docs, int copies, Random rnd, Mutator mutator) {
        int base = docs.size();
        for (int c = 0; c < copies; c++) {
            int src = rnd.nextInt(10) < 8 ? rnd.nextInt(base) : rnd.nextInt(docs.size());
            double strength = rnd.nextDouble() * 0.4;
            docs.add(new Doc(
                    "copy" + c + "/" + docs.get(src).id(),
                    mutator.mutate(docs.get(src).content(), strength, rnd)));
        }
        Collections.shuffle(docs, rnd);
        return docs;
    }

    static String mutate(String text, double strength, Random rnd) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int n = lines.size();
        // delete and insert lines
        int deletes = (int) (n * strength * 0.15 * rnd.nextDouble());
        for (int i = 0; i < deletes && lines.size() > 1; i++) {
            lines.remove(rnd.nextInt(lines.size()));
        }
        int inserts = (int) (n * strength * 0.15 * rnd.nextDouble());
        for (int i = 0; i < inserts; i++) {
            lines.add(
                    rnd.nextInt(lines.size() + 1),
                    "        log.debug(\"step " + rnd.nextInt(100_000) + "\", v" + i + ");");
        }
        // token edits within lines
        int edits = (int) (lines.size() * strength * 0.3 * rnd.nextDouble());
        for (int i = 0; i < edits; i++) {
            int l = rnd.nextInt(lines.size());
            Matcher m = IDENT.matcher(lines.get(l));
            List<int[]> spans = new ArrayList<>();
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            if (!spans.isEmpty()) {
                int[] s = spans.get(rnd.nextInt(spans.size()));
                String line = lines.get(l);
                lines.set(l, line.substring(0, s[0]) + "edit" + rnd.nextInt(10_000) + line.substring(s[1]));
            }
        }
        String out = String.join("\n", lines);
        // consistent renames of identifiers
        int renames = (int) (strength * 8 * rnd.nextDouble());
        for (int i = 0; i < renames; i++) {
            Matcher m = IDENT.matcher(out);
            List<String> ids = new ArrayList<>();
            while (m.find() && ids.size() < 2000) {
                ids.add(m.group());
            }
            if (ids.isEmpty()) {
                break;
            }
            String from = ids.get(rnd.nextInt(ids.size()));
            out = out.replaceAll("\\b" + Pattern.quote(from) + "\\b", Matcher.quoteReplacement(from + "X" + i));
        }
        return out;
    }
}
