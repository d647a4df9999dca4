package dev.kiln.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteBuildTest {

    @TempDir
    Path out;

    static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("site/pages/nav.txt"))) {
            p = p.getParent();
        }
        return p;
    }

    @Test
    void buildsEveryPageWithResolvingLinks() throws Exception {
        List<String> broken = new SiteBuilder(repoRoot(), out).build(false);
        assertThat(broken).isEmpty();
        assertThat(out.resolve("index.html")).exists();
        String cli = Files.readString(out.resolve("cli.html"));
        assertThat(cli).contains("Usage: llm").contains("llm env");
        assertThat(Files.readString(out.resolve("stages.html"))).contains("Pipeline stages");
        assertThat(Files.readString(out.resolve("getting-started.html")))
                .contains("href=\"core.html\"")
                .doesNotContain(".md\"");
    }

    @Test
    void javadocShowsTheServerButNotItsHttpLayer() throws Exception {
        List<String> packages = new SiteBuilder(repoRoot(), out).apiPackages();
        assertThat(packages)
                .contains("dev.kiln.serve", "dev.kiln.core", "dev.kiln.train")
                .doesNotContain("dev.kiln.serve.openai")
                .noneMatch(p -> p.contains(".internal"));
    }

    @Test
    void linkCheckerReportsMissingFilesAndAnchors() throws Exception {
        Files.writeString(
                out.resolve("a.html"),
                "<h1 id=\"top\">A</h1><a href=\"b.html\">b</a><a href=\"a.html#top\">ok</a>"
                        + "<a href=\"#nowhere\">x</a><a href=\"https://example.org\">ext</a>");
        assertThat(LinkChecker.brokenLinks(out))
                .containsExactlyInAnyOrder(
                        "a.html -> b.html (no such file)", "a.html -> #nowhere (no anchor 'nowhere')");
    }

    @Test
    void pagesRenderInHeadlessChromium() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "chromium is not installed (.ci/setup.d installs it in CI)");
        new SiteBuilder(repoRoot(), out).build(false);
        for (String page : List.of("index.html", "cli.html")) {
            String dom = dumpDom(chromium, out.resolve(page));
            assertThat(dom).contains("<nav>").contains("· Kiln</title>");
            assertThat(dom).contains("<main>");
        }
    }

    private String dumpDom(Path chromium, Path page) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(out, "chromium-");
        Process p = new ProcessBuilder(
                        chromium.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--disable-quic",
                        "--user-data-dir=" + profile,
                        "--dump-dom",
                        page.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(dom, StandardCharsets.UTF_8);
    }
}
