package dev.kiln.site;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds internal links ({@code href}/{@code src} without a scheme) in a directory of HTML pages
 * that point to a missing file or a missing {@code #anchor}.
 */
final class LinkChecker {

    private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
    private static final Pattern ID = Pattern.compile("\\b(?:id|name)=\"([^\"]+)\"");

    private LinkChecker() {}

    /** Broken links as {@code page -> target (problem)}; the Javadoc tree is only checked for existence. */
    static List<String> brokenLinks(Path siteDir) throws IOException {
        List<Path> pages;
        try (Stream<Path> s = Files.walk(siteDir)) {
            pages = s.filter(p -> p.toString().endsWith(".html")
                            && !siteDir.relativize(p).startsWith("apidocs"))
                    .sorted()
                    .toList();
        }
        Map<Path, Set<String>> ids = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String html = Files.readString(page);
            Matcher m = LINK.matcher(html);
            while (m.find()) {
                String href = m.group(1);
                if (href.isEmpty() || href.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto:, data: ...
                }
                String file = href;
                String anchor = null;
                int hash = href.indexOf('#');
                if (hash >= 0) {
                    file = href.substring(0, hash);
                    anchor = href.substring(hash + 1);
                }
                Path target = file.isEmpty()
                        ? page
                        : page.getParent()
                                .resolve(URLDecoder.decode(file, StandardCharsets.UTF_8))
                                .normalize();
                String where = siteDir.relativize(page) + " -> " + href;
                if (!target.startsWith(siteDir)) {
                    broken.add(where + " (points outside the site)");
                } else if (!Files.exists(target)) {
                    if (siteDir.relativize(target).startsWith("apidocs")
                            && !Files.isDirectory(siteDir.resolve("apidocs"))) {
                        continue; // Javadoc not built in this run (-Dsite.javadoc=false)
                    }
                    broken.add(where + " (no such file)");
                } else if (anchor != null
                        && !anchor.isEmpty()
                        && target.toString().endsWith(".html")) {
                    Set<String> known = ids.computeIfAbsent(target, LinkChecker::idsOf);
                    if (!known.contains(anchor)) {
                        broken.add(where + " (no anchor '" + anchor + "')");
                    }
                }
            }
        }
        return broken;
    }

    private static Set<String> idsOf(Path page) {
        try {
            Set<String> out = new HashSet<>();
            Matcher m = ID.matcher(Files.readString(page));
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        } catch (IOException e) {
            return Set.of();
        }
    }
}
