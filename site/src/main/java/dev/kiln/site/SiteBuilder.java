package dev.kiln.site;

import dev.kiln.cli.Llm;
import dev.kiln.data.StageProvider;
import dev.kiln.data.Stages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import picocli.CommandLine;

/**
 * Builds Kiln's documentation site: the hand-written pages of {@code site/pages} (listed in
 * {@code site/pages/nav.txt}), pages generated from the code (CLI reference from picocli, the stage
 * registry), and optionally the aggregated Javadoc; then checks every internal link.
 *
 * <pre>{@code
 * ./mvnw -q -pl site -am package -DskipTests -Psite     # writes site/target/site/index.html
 * }</pre>
 */
public final class SiteBuilder {

    /** Modules whose public API goes into the aggregated Javadoc. */
    static final List<String> API_MODULES =
            List.of("llm-core", "llm-data", "llm-tokenize", "llm-train", "llm-eval", "llm-serve");

    /**
     * Packages of those modules that hold nothing for users, beside every {@code internal} package:
     * {@code serve.openai} is the OpenAI HTTP layer behind {@code Server.builder()} (its two public
     * types are public only for {@code Server}).
     */
    static final List<String> NOT_API_PACKAGES = List.of("dev.kiln.serve.openai");

    private static final Pattern MD_LINK = Pattern.compile("href=\"([^\"#:]+)\\.md(#[^\"]*)?\"");

    private final Path root;
    private final Path out;
    private final List<Page> pages = new ArrayList<>();

    /** A page of the site. */
    record Page(String file, String title, String markdown) {}

    SiteBuilder(Path root, Path out) {
        this.root = root;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".");
        Path out = Path.of("site/target/site");
        boolean javadoc = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--output" -> out = Path.of(args[++i]);
                case "--javadoc" -> javadoc = Boolean.parseBoolean(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "'; use --root DIR --output DIR --javadoc true|false");
            }
        }
        SiteBuilder b = new SiteBuilder(
                root.toAbsolutePath().normalize(), out.toAbsolutePath().normalize());
        List<String> broken = b.build(javadoc);
        if (!broken.isEmpty()) {
            System.err.println("site: " + broken.size() + " broken internal link(s):");
            broken.forEach(l -> System.err.println("  " + l));
            System.exit(1);
        }
        System.err.println("site: wrote " + b.out.resolve("index.html"));
    }

    /** Builds everything and returns the broken internal links (empty when all resolve). */
    List<String> build(boolean javadoc) throws IOException {
        Files.createDirectories(out);
        loadPages();
        String nav = navHtml();
        List<Extension> ext = List.of(TablesExtension.create());
        Parser parser = Parser.builder().extensions(ext).build();
        HtmlRenderer renderer = HtmlRenderer.builder().extensions(ext).build();
        for (Page p : pages) {
            String body = renderer.render(parser.parse(p.markdown()));
            body = MD_LINK.matcher(body)
                    .replaceAll(m -> Matcher.quoteReplacement(
                            "href=\"" + m.group(1) + ".html" + (m.group(2) == null ? "" : m.group(2)) + "\""));
            body = addHeadingIds(body);
            Files.writeString(
                    out.resolve(p.file().replace(".md", ".html")),
                    page(p.title(), nav, body, p.file()),
                    StandardCharsets.UTF_8);
        }
        try (InputStream css = SiteBuilder.class.getResourceAsStream("style.css")) {
            Files.write(out.resolve("style.css"), css.readAllBytes());
        }
        if (javadoc) {
            buildJavadoc();
        }
        return LinkChecker.brokenLinks(out);
    }

    private void loadPages() throws IOException {
        Path pagesDir = root.resolve("site/pages");
        for (String line : Files.readAllLines(pagesDir.resolve("nav.txt"))) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\|", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("site/pages/nav.txt: expected 'source | Title', got '" + line + "'");
            }
            String src = parts[0].strip();
            String title = parts[1].strip();
            switch (src) {
                case "@cli" -> pages.add(new Page("cli.md", title, cliReference()));
                case "@stages" -> pages.add(new Page("stages.md", title, stageReference()));
                case "@train-config" ->
                    pages.add(new Page("train-config.md", title, dev.kiln.train.TrainConfig.referenceMarkdown()));
                default -> {
                    Path file = pagesDir.resolve(src).normalize();
                    if (!Files.isRegularFile(file)) {
                        throw new IllegalArgumentException(
                                "site/pages/nav.txt names '" + src + "', which does not exist (" + file + ")");
                    }
                    String name = file.startsWith(pagesDir)
                            ? pagesDir.relativize(file).toString()
                            : slug(title) + ".md";
                    pages.add(new Page(name, title, Files.readString(file)));
                }
            }
        }
    }

    static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** The usage text of every command and subcommand, generated from picocli. */
    static String cliReference() {
        StringBuilder sb = new StringBuilder("# CLI reference\n\n");
        sb.append(
                "Generated from the `llm` command's picocli definitions. Run `./llm <command> --help` for the same text.\n\n");
        appendUsage(sb, Llm.commandLine(), "llm");
        return sb.toString();
    }

    private static void appendUsage(StringBuilder sb, CommandLine cl, String path) {
        sb.append("## `")
                .append(path)
                .append("`\n\n```text\n")
                .append(cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing())
                .append("\n```\n\n");
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help") || !e.getValue().getCommandName().equals(e.getKey())) {
                continue; // skip picocli's help command and aliases
            }
            appendUsage(sb, e.getValue(), path + " " + e.getKey());
        }
    }

    /** The registered pipeline stages, as recipes and {@code --stages} name them. */
    static String stageReference() {
        StringBuilder sb = new StringBuilder("# Pipeline stages\n\n");
        sb.append(
                        "Every stage registered through `ServiceLoader` (`dev.kiln.data.StageProvider`), by the name that YAML ")
                .append("recipes and `llm data run --stages` use. Generated from the registry.\n\n");
        Map<String, StageProvider> all = Stages.providers();
        if (all.isEmpty()) {
            sb.append("No stages are registered in this build.\n");
        } else {
            sb.append("| stage | what it does |\n| --- | --- |\n");
            for (StageProvider p : all.values()) {
                sb.append("| `")
                        .append(p.name())
                        .append("` | ")
                        .append(p.description().replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    private String navHtml() {
        StringBuilder sb = new StringBuilder("<nav><a class=\"brand\" href=\"index.html\">Kiln</a><ul>");
        for (Page p : pages) {
            sb.append("<li><a href=\"")
                    .append(p.file().replace(".md", ".html"))
                    .append("\">")
                    .append(escape(p.title()))
                    .append("</a></li>");
        }
        sb.append("<li><a href=\"apidocs/index.html\">Javadoc</a></li></ul></nav>");
        return sb.toString();
    }

    private static String page(String title, String nav, String body, String file) {
        String activeNav = nav.replace(
                "href=\"" + file.replace(".md", ".html") + "\"",
                "class=\"active\" href=\"" + file.replace(".md", ".html") + "\"");
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title)
                + " · Kiln</title><link rel=\"stylesheet\" href=\"style.css\"></head>\n<body>"
                + activeNav + "<main>\n" + body + "</main></body></html>\n";
    }

    private static final Pattern HEADING = Pattern.compile("<h([1-4])>(.*?)</h\\1>");

    private static String addHeadingIds(String html) {
        return HEADING.matcher(html)
                .replaceAll(m -> Matcher.quoteReplacement("<h" + m.group(1) + " id=\""
                        + slug(m.group(2).replaceAll("<[^>]+>", "")) + "\">" + m.group(2) + "</h" + m.group(1) + ">"));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void buildJavadoc() throws IOException {
        DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
        if (tool == null) {
            throw new IllegalStateException("no javadoc tool in this JVM (" + System.getProperty("java.home")
                    + "): build the site with a JDK, not a JRE");
        }
        List<String> args = new ArrayList<>(List.of(
                "-d",
                out.resolve("apidocs").toString(),
                "-quiet",
                "-Xdoclint:none",
                "-notimestamp",
                "-windowtitle",
                "Kiln API",
                "-doctitle",
                "Kiln API",
                "-classpath",
                System.getProperty("java.class.path")));
        List<String> sourcePath = new ArrayList<>();
        for (String m : API_MODULES) {
            Path src = root.resolve(m).resolve("src/main/java");
            if (Files.isDirectory(src)) {
                sourcePath.add(src.toString());
            }
        }
        args.add("-sourcepath");
        args.add(String.join(java.io.File.pathSeparator, sourcePath));
        args.addAll(apiPackages());
        int rc = tool.run(null, null, null, args.toArray(new String[0]));
        if (rc != 0) {
            throw new UncheckedIOException(new IOException("javadoc failed with exit code " + rc + " (see above)"));
        }
    }

    /** The packages the site's Javadoc shows: those of {@link #API_MODULES} less the internal ones, sorted. */
    List<String> apiPackages() throws IOException {
        TreeSet<String> packages = new TreeSet<>();
        for (String m : API_MODULES) {
            Path src = root.resolve(m).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f ->
                                f.toString().endsWith(".java") && !f.toString().contains("/internal/"))
                        .map(f -> src.relativize(f.getParent()).toString().replace('/', '.'))
                        .filter(pkg -> !pkg.isEmpty() && !NOT_API_PACKAGES.contains(pkg))
                        .forEach(packages::add);
            }
        }
        return List.copyOf(packages);
    }
}
