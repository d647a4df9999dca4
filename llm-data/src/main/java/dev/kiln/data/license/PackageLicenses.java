package dev.kiln.data.license;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Licenses declared in package metadata: Maven POMs (following the {@code <parent>} chain in a
 * local repository), {@code package.json}, {@code pyproject.toml} and {@code Cargo.toml}.
 *
 * <pre>{@code
 * List<String> l = PackageLicenses.fromPackageJson(Files.readString(Path.of("package.json")));  // [MIT]
 * List<String> m = PackageLicenses.fromPomFile(Path.of("~/.m2/repository/g/a/1.0/a-1.0.pom"));
 * }</pre>
 *
 * <p>Unrecognised names are left out; an empty list means "no usable license metadata".
 */
public final class PackageLicenses {

    private PackageLicenses() {}

    /** Whether {@code fileName} is a package metadata file this class reads. */
    public static boolean isPackageFile(String fileName) {
        return fileName.equals("package.json")
                || fileName.equals("pom.xml")
                || fileName.equals("pyproject.toml")
                || fileName.equals("Cargo.toml")
                || fileName.endsWith(".pom");
    }

    /** Whether {@code fileName} looks like a license text ({@code LICENSE}, {@code COPYING.txt} ...). */
    public static boolean isLicenseFile(String fileName) {
        String n = fileName.toUpperCase(Locale.ROOT);
        return n.startsWith("LICENSE") || n.startsWith("LICENCE") || n.startsWith("COPYING") || n.equals("UNLICENSE");
    }

    /** Licenses from a metadata file by its name; empty for other names or no license. */
    public static List<String> fromFile(String fileName, String text) {
        try {
            switch (fileName) {
                case "package.json":
                    return fromPackageJson(text);
                case "pyproject.toml":
                    return fromPyproject(text);
                case "Cargo.toml":
                    return fromCargoToml(text);
                default:
                    if (fileName.equals("pom.xml") || fileName.endsWith(".pom")) {
                        return pomInfo(text.getBytes(StandardCharsets.UTF_8)).licenses;
                    }
                    return List.of();
            }
        } catch (RuntimeException | IOException e) {
            return List.of();
        }
    }

    /** {@code license} (string or {@code {type}}) or {@code licenses} ({@code [{type}]}) of a package.json. */
    public static List<String> fromPackageJson(String json) {
        JsonNode n;
        try {
            n = Json.parse(json);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        JsonNode l = n.path("license");
        if (l.isTextual()) {
            add(out, l.asText());
        } else if (l.isObject()) {
            add(out, l.path("type").asText(null));
        }
        if (out.isEmpty() && n.path("licenses").isArray()) {
            List<String> alts = new ArrayList<>();
            for (JsonNode x : n.get("licenses")) {
                String t = x.isTextual() ? x.asText() : x.path("type").asText(null);
                Licenses.normalize(t).ifPresent(alts::add);
            }
            if (!alts.isEmpty()) {
                out.add(Licenses.anyOf(alts));
            }
        }
        return out;
    }

    /** The package name and version of a package.json ({@code name@version}), if present. */
    public static Optional<String> packageJsonName(String json) {
        try {
            JsonNode n = Json.parse(json);
            String name = n.path("name").asText("");
            if (name.isEmpty()) {
                return Optional.empty();
            }
            String v = n.path("version").asText("");
            return Optional.of(v.isEmpty() ? name : name + "@" + v);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static final Pattern TOML_LICENSE =
            Pattern.compile("(?m)^\\s*license\\s*=\\s*(?:\"([^\"]+)\"|\\{\\s*text\\s*=\\s*\"([^\"]+)\")");
    private static final Pattern TROVE = Pattern.compile("License :: OSI Approved :: ([^\"\\n]+)");

    /** {@code [project] license} (string or {@code {text}}), else the trove classifiers. */
    public static List<String> fromPyproject(String toml) {
        List<String> out = new ArrayList<>();
        Matcher m = TOML_LICENSE.matcher(toml);
        if (m.find()) {
            add(out, m.group(1) != null ? m.group(1) : m.group(2));
        }
        if (out.isEmpty()) {
            Matcher t = TROVE.matcher(toml);
            while (t.find()) {
                add(out, t.group(1).strip());
            }
        }
        return out;
    }

    /** {@code [package] license} of a Cargo.toml ({@code "MIT OR Apache-2.0"}, old {@code "MIT/Apache-2.0"}). */
    public static List<String> fromCargoToml(String toml) {
        List<String> out = new ArrayList<>();
        Matcher m = TOML_LICENSE.matcher(toml);
        if (m.find()) {
            add(out, m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    private static void add(List<String> out, String name) {
        Licenses.normalize(name).filter(s -> !out.contains(s)).ifPresent(out::add);
    }

    /**
     * The licenses of a POM file in a local Maven repository: its {@code <licenses>}, else its
     * parent's (looked up in the same repository, up to 10 levels); empty when none is found.
     */
    public static List<String> fromPomFile(Path pom) throws IOException {
        Path file = pom;
        for (int depth = 0; depth < 10 && file != null && Files.isRegularFile(file); depth++) {
            PomInfo info = pomInfo(Files.readAllBytes(file));
            if (!info.licenses.isEmpty()) {
                return info.licenses;
            }
            if (info.parent == null) {
                return List.of();
            }
            file = parentPom(file, info);
        }
        return List.of();
    }

    /** {@code groupId:artifactId:version} of a POM, if it names them (groupId and version may come from its parent). */
    public static Optional<String> pomCoordinates(Path pom) throws IOException {
        PomInfo i = pomInfo(Files.readAllBytes(pom));
        return i.artifactId == null ? Optional.empty() : Optional.of(i.groupId + ":" + i.artifactId + ":" + i.version);
    }

    private static Path parentPom(Path pom, PomInfo info) {
        // pom = ROOT/g/r/o/u/p/artifact/version/artifact-version.pom
        String[] parent = info.parent;
        Path versionDir = pom.toAbsolutePath().getParent();
        if (versionDir == null || info.groupId == null || info.artifactId == null) {
            return null;
        }
        Path root = versionDir.getParent(); // artifact dir
        int groupDepth = info.groupId.split("\\.").length;
        for (int i = 0; i <= groupDepth && root != null; i++) {
            root = root.getParent();
        }
        if (root == null) {
            return null;
        }
        Path p = root;
        for (String seg : parent[0].split("\\.")) {
            p = p.resolve(seg);
        }
        return p.resolve(parent[1]).resolve(parent[2]).resolve(parent[1] + "-" + parent[2] + ".pom");
    }

    private static final class PomInfo {
        List<String> licenses = new ArrayList<>();
        String[] parent;
        String groupId;
        String artifactId;
        String version;
    }

    private static PomInfo pomInfo(byte[] xml) throws IOException {
        PomInfo info = new PomInfo();
        org.w3c.dom.Document dom;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            dom = b.parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new IOException("not a valid POM: " + e.getMessage(), e);
        }
        Element project = dom.getDocumentElement();
        Element parent = child(project, "parent");
        if (parent != null) {
            String g = text(child(parent, "groupId"));
            String a = text(child(parent, "artifactId"));
            String v = text(child(parent, "version"));
            if (g != null && a != null && v != null) {
                info.parent = new String[] {g, a, v};
            }
        }
        info.artifactId = text(child(project, "artifactId"));
        info.groupId = text(child(project, "groupId"));
        info.version = text(child(project, "version"));
        if (info.groupId == null && info.parent != null) {
            info.groupId = info.parent[0];
        }
        if (info.version == null && info.parent != null) {
            info.version = info.parent[2];
        }
        Element licenses = child(project, "licenses");
        if (licenses != null) {
            NodeList list = licenses.getChildNodes();
            for (int i = 0; i < list.getLength(); i++) {
                if (list.item(i) instanceof Element l && l.getTagName().equals("license")) {
                    Optional<String> id = Licenses.normalize(text(child(l, "name")));
                    if (id.isEmpty()) {
                        id = Licenses.normalize(text(child(l, "url")));
                    }
                    id.filter(s -> !info.licenses.contains(s)).ifPresent(info.licenses::add);
                }
            }
            // Several <license> entries are alternatives (Maven's POM reference): one OR expression
            if (info.licenses.size() > 1) {
                info.licenses = List.of(Licenses.anyOf(info.licenses));
            }
        }
        return info;
    }

    private static Element child(Element e, String name) {
        if (e == null) {
            return null;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e) {
        if (e == null) {
            return null;
        }
        String t = e.getTextContent().strip();
        return t.isEmpty() ? null : t;
    }
}
