package dev.kiln.bench.dedup;

import dev.kiln.bench.dedup.NearDupCorpus.Doc;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Near-duplicate corpora that near-dedup's defaults were <b>not</b> tuned on (they were tuned on
 * {@link NearDupCorpus#build}, Java from the JDK's {@code src.zip} with {@link NearDupCorpus#mutate}):
 *
 * <ul>
 *   <li>{@link #pythonVersions}: real near duplicates, no synthetic edits: the same standard-library
 *       module as shipped by several CPython releases (2.7, 3.6 … 3.13 under pyenv, Debian's
 *       {@code /usr/lib/python3.*}), so the edits are the ones CPython's developers made.
 *   <li>{@link #npm}: JavaScript files of an npm package tree (e.g. {@code /usr/lib/node_modules}),
 *       plus copies mutated by a different edit model ({@link #blockEdits}): blocks of lines
 *       deleted and pasted twice, literals changed, comments inserted, identifiers renamed.
 * </ul>
 */
public final class HeldOutCorpora {

    private static final Pattern IDENT = Pattern.compile("\\b[A-Za-z_$][A-Za-z_0-9$]{2,}\\b");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+\\b");

    private HeldOutCorpora() {}

    /**
     * The standard libraries of the Pythons on this machine: directories with an {@code os.py}
     * under {@code /usr/lib/python3.*} and {@code $PYENV_ROOT/versions/*}/lib/python*}, one per
     * version (by real path), sorted by name.
     */
    public static List<Path> pythonStdlibs() throws IOException {
        Map<String, Path> byVersion = new TreeMap<>();
        List<Path> roots = new ArrayList<>(List.of(Path.of("/usr/lib")));
        String pyenv = System.getenv("PYENV_ROOT");
        Path pyenvRoot = pyenv != null ? Path.of(pyenv) : Path.of(System.getProperty("user.home"), ".pyenv");
        Path versions = pyenvRoot.resolve("versions");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> s = Files.list(versions)) {
                s.map(v -> v.resolve("lib")).filter(Files::isDirectory).forEach(roots::add);
            }
        }
        for (Path root : roots) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path lib : (Iterable<Path>) s.sorted()::iterator) {
                    String name = lib.getFileName().toString();
                    if (name.matches("python\\d\\.\\d+") && Files.isRegularFile(lib.resolve("os.py"))) {
                        // /usr/lib/python3.11 and pyenv's 3.11.7 are different releases: keep both
                        String key = lib.toRealPath().toString();
                        byVersion.putIfAbsent(key, lib.toRealPath());
                    }
                }
            }
        }
        return new ArrayList<>(byVersion.values());
    }

    /**
     * The same modules from several Python standard libraries: {@code modules} random module paths
     * (relative, {@code .py}, 1 KB to 400 KB) that exist in at least two of {@code stdlibs}; two or
     * three random versions of each are documents, id {@code <version>/<stdlib dir>/<module path>}.
     * Shuffled.
     */
    public static List<Doc> pythonVersions(List<Path> stdlibs, int modules, long seed) throws IOException {
        Map<String, List<Path>> versionsOf = new TreeMap<>();
        for (Path lib : stdlibs) {
            for (String rel : pythonModules(lib)) {
                versionsOf.computeIfAbsent(rel, k -> new ArrayList<>()).add(lib);
            }
        }
        List<String> shared = new ArrayList<>();
        versionsOf.forEach((rel, libs) -> {
            if (libs.size() >= 2) {
                shared.add(rel);
            }
        });
        Random rnd = new Random(seed);
        Collections.shuffle(shared, rnd);
        List<Doc> docs = new ArrayList<>();
        for (String rel : shared.subList(0, Math.min(modules, shared.size()))) {
            // two or three random releases of each module: clusters this small leave every pair to
            // decide on its own (a larger cluster stays connected through its closest versions)
            List<Path> libs = new ArrayList<>(versionsOf.get(rel));
            Collections.shuffle(libs, rnd);
            for (Path lib : libs.subList(0, Math.min(libs.size(), 2 + rnd.nextInt(2)))) {
                String text = readUtf8(lib.resolve(rel));
                if (text != null) {
                    docs.add(new Doc(
                            lib.getParent().getParent().getFileName() + "/" + lib.getFileName() + "/" + rel, text));
                }
            }
        }
        Collections.shuffle(docs, rnd);
        return docs;
    }

    private static List<String> pythonModules(Path lib) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(lib, 3)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = lib.relativize(p).toString().replace('\\', '/');
                if (rel.endsWith(".py")
                        && !rel.startsWith("site-packages/")
                        && !rel.startsWith("dist-packages/")
                        && !rel.contains("/test")
                        && !rel.startsWith("test")
                        && !rel.contains("lib2to3/tests")
                        && Files.isRegularFile(p)) {
                    long size = Files.size(p);
                    if (size >= 1_000 && size <= 400_000) {
                        out.add(rel);
                    }
                }
            }
        }
        return out;
    }

    /**
     * JavaScript files under {@code root} ({@code .js}, {@code .cjs}, {@code .mjs}; 500 bytes to 400
     * KB; minified bundles skipped) as originals, plus {@code copies} copies mutated by {@link
     * #blockEdits}. Shuffled.
     */
    public static List<Doc> npm(Path root, int originals, int copies, long seed) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("no npm package tree at " + root + " (install Node.js and npm)");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if ((n.endsWith(".js") || n.endsWith(".cjs") || n.endsWith(".mjs"))
                        && !n.endsWith(".min.js")
                        && Files.isRegularFile(p)) {
                    long size = Files.size(p);
                    if (size >= 500 && size <= 400_000) {
                        files.add(p);
                    }
                }
            }
        }
        files.sort(null);
        Random rnd = new Random(seed);
        Collections.shuffle(files, rnd);
        // identical files (the same package bundled twice) would be exact duplicates, not near ones
        Map<String, Doc> unique = new LinkedHashMap<>();
        for (Path p : files) {
            if (unique.size() >= originals) {
                break;
            }
            String text = readUtf8(p);
            if (text != null && !minified(text)) {
                unique.putIfAbsent(text, new Doc("orig/" + root.relativize(p), text));
            }
        }
        return NearDupCorpus.withCopies(new ArrayList<>(unique.values()), copies, rnd, HeldOutCorpora::blockEdits);
    }

    private static boolean minified(String text) {
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return text.length() / lines > 300;
    }

    private static String readUtf8(Path p) throws IOException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(p)))
                    .toString();
        } catch (CharacterCodingException e) {
            return null; // e.g. a Latin-1 module of Python 2: not text this corpus can use
        }
    }

    /**
     * An edit model unlike {@link NearDupCorpus#mutate}: blocks of 1–12 consecutive lines deleted,
     * blocks pasted a second time elsewhere, numeric literals changed, {@code //} comment lines
     * inserted, and identifiers renamed consistently; counts scale with {@code strength}.
     */
    static String blockEdits(String text, double strength, Random rnd) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int n = lines.size();
        int blockDeletes = (int) (n * strength * 0.02 * rnd.nextDouble() + rnd.nextDouble() * strength * 4);
        for (int i = 0; i < blockDeletes && lines.size() > 12; i++) {
            int len = 1 + rnd.nextInt(12);
            int at = rnd.nextInt(lines.size() - len);
            lines.subList(at, at + len).clear();
        }
        int pastes = (int) (n * strength * 0.01 * rnd.nextDouble() + rnd.nextDouble() * strength * 3);
        for (int i = 0; i < pastes && lines.size() > 12; i++) {
            int len = 1 + rnd.nextInt(12);
            int from = rnd.nextInt(lines.size() - len);
            List<String> block = new ArrayList<>(lines.subList(from, from + len));
            lines.addAll(rnd.nextInt(lines.size() + 1), block);
        }
        int comments = (int) (n * strength * 0.1 * rnd.nextDouble());
        String[] words = {"fix", "handle", "edge", "case", "when", "input", "is", "empty", "see", "issue", "todo"};
        for (int i = 0; i < comments; i++) {
            StringBuilder c = new StringBuilder("  //");
            for (int w = 2 + rnd.nextInt(6); w > 0; w--) {
                c.append(' ').append(words[rnd.nextInt(words.length)]);
            }
            lines.add(rnd.nextInt(lines.size() + 1), c.toString());
        }
        int literals = (int) (lines.size() * strength * 0.2 * rnd.nextDouble());
        for (int i = 0; i < literals; i++) {
            int l = rnd.nextInt(lines.size());
            Matcher m = NUMBER.matcher(lines.get(l));
            if (m.find()) {
                String line = lines.get(l);
                lines.set(l, line.substring(0, m.start()) + rnd.nextInt(100_000) + line.substring(m.end()));
            }
        }
        String out = String.join("\n", lines);
        int renames = (int) (strength * 10 * rnd.nextDouble());
        for (int i = 0; i < renames; i++) {
            Matcher m = IDENT.matcher(out);
            TreeSet<String> ids = new TreeSet<>();
            while (m.find() && ids.size() < 2000) {
                ids.add(m.group());
            }
            if (ids.isEmpty()) {
                break;
            }
            List<String> list = new ArrayList<>(ids);
            String from = list.get(rnd.nextInt(list.size()));
            out = Pattern.compile("(?<![A-Za-z_0-9$])" + Pattern.quote(from) + "(?![A-Za-z_0-9$])")
                    .matcher(out)
                    .replaceAll(Matcher.quoteReplacement("_" + from.toLowerCase(java.util.Locale.ROOT) + i));
        }
        return out;
    }
}
