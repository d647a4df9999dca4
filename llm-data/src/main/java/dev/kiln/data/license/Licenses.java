package dev.kiln.data.license;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentTransform;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * License detection and filtering.
 *
 * <pre>{@code
 * Corpus.from(Path.of("repos"))
 *     .filter(Licenses.permissive())                 // keep MIT, Apache-2.0, BSD ... ; drop unknown
 *     .write(Sinks.jsonl(Path.of("out")));
 * LicenseFilter lenient = Licenses.permissive().toBuilder().optKeepUnknown(true).build();
 * }</pre>
 *
 * <p>Where a document's licenses come from, most specific first: an {@code
 * SPDX-License-Identifier:} line or a license notice in the file's header comment ({@link
 * #fromHeader}); else what its source attached: package metadata (POM, {@code package.json},
 * {@code pyproject.toml}, {@code Cargo.toml}) or the nearest {@code LICENSE}/{@code COPYING} file
 * above it (classified by {@link LicenseClassifier}); The Stack's {@code licenses} column for JSONL
 * and Parquet rows.
 *
 * <p>License entries are SPDX ids ({@code MIT}) or SPDX expressions ({@code MIT OR GPL-2.0},
 * {@code GPL-2.0 WITH Classpath-exception-2.0}); the {@code -only}/{@code -or-later} suffixes are
 * folded into the base id ({@code GPL-2.0-or-later} is {@code GPL-2.0}). A document's list of
 * entries means all of them ({@code AND}): a file under its repository's license and under the
 * license its header adds. Alternatives are one {@code OR} entry: the several {@code <license>}
 * elements of a POM (Maven defines them as alternatives), {@code package.json}'s {@code licenses}.
 * "Public Domain" is no SPDX license: it becomes {@code LicenseRef-Public-Domain}, which is not on
 * {@link #PERMISSIVE} (allow it by name).
 *
 * <p>Expressions are parsed here (a few dozen lines: {@code OR}, {@code AND}, {@code WITH},
 * parentheses) rather than with the SPDX project's {@code java-spdx-library}: that library is a
 * 3.9 MB jar pulling in gson, jsoup, commons-lang3 and the SPDX model modules, and fetches the
 * license list from spdx.org at run time unless told otherwise — too heavy for a module that runs
 * inside users' Spark jobs on Java 17.
 */
public final class Licenses {

    /**
     * The permissive allowlist: licenses that allow redistribution of the code in a training set
     * without copyleft obligations. Weak copyleft (MPL, EPL, LGPL) and GPL family licenses, with or
     * without the Classpath exception, are not on it.
     */
    public static final Set<String> PERMISSIVE = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "MIT",
            "MIT-0",
            "Apache-2.0",
            "BSD-2-Clause",
            "BSD-3-Clause",
            "ISC",
            "Unlicense",
            "CC0-1.0",
            "0BSD",
            "Zlib",
            "BSL-1.0",
            "Python-2.0",
            "PSF-2.0",
            "X11",
            "WTFPL",
            "BlueOak-1.0.0")));

    private Licenses() {}

    /** Keeps documents whose licenses are all on {@link #PERMISSIVE}; unknown licenses are dropped. */
    public static LicenseFilter permissive() {
        return LicenseFilter.builder().build();
    }

    /**
     * A transform that fills in {@link Document#licenses()} from the document's header (it
     * replaces what the source attached when the header names a license).
     */
    public static DocumentTransform detect() {
        return new DetectTransform();
    }

    private static final class DetectTransform implements DocumentTransform {
        private static final long serialVersionUID = 1L;

        @Override
        public String name() {
            return "license-detect";
        }

        @Override
        public Document apply(Document doc) {
            return withDetected(doc);
        }
    }

    /**
     * The document with its header's licenses: an {@code SPDX-License-Identifier:} line states the
     * file's own license and replaces what the source attached; a license notice found in the
     * header comment is combined with it ({@code AND}: a file in a GPL repository whose header
     * mentions an MIT snippet is under both). Unchanged when the header names none.
     */
    static Document withDetected(Document doc) {
        List<String> spdx = fromSpdxLines(doc.content());
        if (!spdx.isEmpty()) {
            return spdx.equals(doc.licenses()) ? doc : doc.withLicenses(spdx);
        }
        List<String> notice = fromNotice(doc.content());
        if (notice.isEmpty()) {
            return doc;
        }
        List<String> all = new ArrayList<>(doc.licenses());
        for (String l : notice) {
            if (!all.contains(l)) {
                all.add(l);
            }
        }
        return all.equals(doc.licenses()) ? doc : doc.withLicenses(all);
    }

    /** One SPDX expression offering {@code alternatives} ({@code A OR B}), compound parts in parentheses. */
    public static String anyOf(List<String> alternatives) {
        List<String> parts = new ArrayList<>();
        for (String a : alternatives) {
            String p = a.contains(" AND ") || a.contains(" OR ") ? "(" + a + ")" : a;
            if (!parts.contains(p)) {
                parts.add(p);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("need at least one license, got none");
        }
        return parts.size() == 1 ? alternatives.get(0) : String.join(" OR ", parts);
    }

    private static final Pattern SPDX_LINE = Pattern.compile(
            "SPDX-License-Identifier:\\s*([^\\r\\n]*?)\\s*(?:\\*/|-->|\\*\\)|-\\}|$)", Pattern.MULTILINE);

    /**
     * Licenses named in the header of a source file: {@code SPDX-License-Identifier:} lines (in
     * the first 16 KB), else a license notice in the leading comment (OpenJDK's GPL-2.0 +
     * Classpath exception notice, the Apache-2.0 short header, the MIT or BSD text ...).
     */
    public static List<String> fromHeader(String content) {
        List<String> spdx = fromSpdxLines(content);
        return spdx.isEmpty() ? fromNotice(content) : spdx;
    }

    /** The expressions of the {@code SPDX-License-Identifier:} lines in the first 16 KB. */
    static List<String> fromSpdxLines(String content) {
        String head = content.length() > 16384 ? content.substring(0, 16384) : content;
        List<String> out = new ArrayList<>();
        if (head.indexOf("SPDX-License-Identifier:") >= 0) {
            Matcher m = SPDX_LINE.matcher(head);
            while (m.find()) {
                normalize(m.group(1)).filter(s -> !out.contains(s)).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Licenses named by a notice in the leading comment (no SPDX line). */
    static List<String> fromNotice(String content) {
        String head = content.length() > 16384 ? content.substring(0, 16384) : content;
        String comment = leadingComment(head);
        if (comment.isEmpty()) {
            return List.of();
        }
        return LicenseClassifier.classify(comment);
    }

    /** The leading comment block(s) of a source file: lines up to the first line of code. */
    static String leadingComment(String head) {
        int pos = 0;
        boolean inBlock = false;
        int len = head.length();
        while (pos < len) {
            int eol = head.indexOf('\n', pos);
            if (eol < 0) {
                eol = len;
            }
            String line = head.substring(pos, eol).strip();
            if (inBlock) {
                if (line.contains("*/") || line.contains("-->") || line.contains("\"\"\"") || line.contains("-}")) {
                    inBlock = false;
                }
            } else if (line.isEmpty()
                    || line.startsWith("//")
                    || line.startsWith("#")
                    || line.startsWith("--")
                    || line.startsWith(";")
                    || line.startsWith("%")
                    || line.startsWith("'")
                    || line.startsWith("*")
                    || line.startsWith("REM ")
                    || line.startsWith("<?xml")) {
                // a comment or a blank line
            } else if (line.startsWith("/*")
                    || line.startsWith("<!--")
                    || line.startsWith("{-")
                    || line.startsWith("(*")
                    || line.startsWith("\"\"\"")) {
                String rest = line.substring(line.startsWith("\"\"\"") ? 3 : 2);
                inBlock = !(rest.contains("*/")
                        || rest.contains("-->")
                        || rest.contains("-}")
                        || rest.contains("*)")
                        || rest.contains("\"\"\""));
            } else {
                return head.substring(0, pos);
            }
            pos = eol + 1;
        }
        return head;
    }

    // ---- names, ids and expressions ----

    /** "Public Domain" is no SPDX license; an SPDX {@code LicenseRef-} names it. */
    public static final String PUBLIC_DOMAIN = "LicenseRef-Public-Domain";

    private static final Map<String, String> IDS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        for (String id : List.of(
                "MIT",
                "MIT-0",
                "Apache-2.0",
                "Apache-1.1",
                "BSD-2-Clause",
                "BSD-3-Clause",
                "BSD-4-Clause",
                "ISC",
                "Unlicense",
                "CC0-1.0",
                "0BSD",
                "Zlib",
                "MPL-2.0",
                "MPL-1.1",
                "EPL-1.0",
                "EPL-2.0",
                "LGPL-2.0",
                "LGPL-2.1",
                "LGPL-3.0",
                "GPL-2.0",
                "GPL-3.0",
                "AGPL-3.0",
                "BSL-1.0",
                "Python-2.0",
                "PSF-2.0",
                "X11",
                "WTFPL",
                "CDDL-1.0",
                "CDDL-1.1",
                "Artistic-2.0",
                "EUPL-1.2",
                "CC-BY-4.0",
                "CC-BY-SA-4.0",
                "Classpath-exception-2.0",
                "LLVM-exception",
                "BlueOak-1.0.0",
                "MPL-1.1")) {
            IDS.put(id, id);
        }
        IDS.put("Apache2", "Apache-2.0");
        IDS.put("Apache 2", "Apache-2.0");
        IDS.put("Apache 2.0", "Apache-2.0");
        IDS.put("Apache-2", "Apache-2.0");
        IDS.put("ASL 2.0", "Apache-2.0");
        IDS.put("BSD", "BSD-3-Clause");
        IDS.put("BSD-2", "BSD-2-Clause");
        IDS.put("BSD-3", "BSD-3-Clause");
        IDS.put("MPL2", "MPL-2.0");
        IDS.put("GPL", "GPL-2.0");
        IDS.put("GPLv2", "GPL-2.0");
        IDS.put("GPLv3", "GPL-3.0");
        IDS.put("LGPL", "LGPL-2.1");
        IDS.put("AGPL", "AGPL-3.0");
        IDS.put("AGPLv3", "AGPL-3.0");
        IDS.put("CC0", "CC0-1.0");
        IDS.put("Public Domain", PUBLIC_DOMAIN);
        IDS.put("Public-Domain", PUBLIC_DOMAIN);
        IDS.put("PD", PUBLIC_DOMAIN);
        IDS.put(PUBLIC_DOMAIN, PUBLIC_DOMAIN);
        IDS.put("GPL-2.0-with-classpath-exception", LicenseClassifier.GPL2_CLASSPATH);
    }

    /**
     * An SPDX id or expression for a license name, id, expression or URL as package metadata
     * states it ({@code "The Apache Software License, Version 2.0"}, {@code "MIT/Apache-2.0"},
     * {@code "https://opensource.org/licenses/MIT"}); empty when not recognised.
     */
    public static Optional<String> normalize(String nameOrExpression) {
        if (nameOrExpression == null) {
            return Optional.empty();
        }
        String s = nameOrExpression.strip();
        while (s.startsWith("(") && s.endsWith(")") && balanced(s.substring(1, s.length() - 1))) {
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        // Expressions: "A OR B", "A AND B", "A WITH B", old Cargo "A/B".
        for (String op : new String[] {" OR ", " AND ", " WITH "}) {
            List<String> parts = splitTopLevel(s, op);
            if (parts.size() > 1) {
                List<String> out = new ArrayList<>();
                for (String p : parts) {
                    Optional<String> n = normalize(p);
                    if (n.isEmpty()) {
                        return Optional.empty();
                    }
                    String v = n.get();
                    out.add(!op.equals(" WITH ") && (v.contains(" OR ") || v.contains(" AND ")) ? "(" + v + ")" : v);
                }
                if (op.equals(" WITH ")
                        && out.get(0).equals("GPL-2.0")
                        && out.get(1).startsWith("Classpath")) {
                    return Optional.of(LicenseClassifier.GPL2_CLASSPATH);
                }
                return Optional.of(String.join(op, out));
            }
        }
        if (s.indexOf('/') > 0 && !s.contains("://") && !s.contains(" ")) {
            return normalize(s.replace("/", " OR "));
        }
        String id = IDS.get(s);
        if (id != null) {
            return Optional.of(id);
        }
        if (s.matches("(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")) {
            return Optional.of(s); // a user-defined SPDX reference
        }
        String base = s.replaceAll("(?i)(-only|-or-later|\\+)$", "");
        id = IDS.get(base);
        if (id != null) {
            return Optional.of(id);
        }
        return fromName(s);
    }

    private static boolean balanced(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }

    private static List<String> splitTopLevel(String s, String op) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        String upper = s.toUpperCase(Locale.ROOT);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && upper.startsWith(op, i)) {
                parts.add(s.substring(start, i));
                start = i + op.length();
                i = start - 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static Optional<String> fromName(String name) {
        String n = LicenseClassifier.normalize(name);
        String padded = " " + n + " ";
        if (n.contains("apache org licenses license 2 0") || n.contains("apache") && padded.contains(" 2")) {
            return Optional.of("Apache-2.0");
        }
        if (padded.contains(" mit ") || n.contains("opensource org licenses mit") || n.equals("expat")) {
            return Optional.of("MIT");
        }
        if (n.contains("eclipse distribution license")) {
            return Optional.of("BSD-3-Clause");
        }
        if (n.contains("eclipse public license") || n.contains("legal epl") || padded.contains(" epl ")) {
            return Optional.of(n.contains("2 0") || n.contains("epl 2") ? "EPL-2.0" : "EPL-1.0");
        }
        if (n.contains("mozilla public license") || n.contains("mpl 2 0")) {
            return Optional.of(n.contains("1 1") ? "MPL-1.1" : "MPL-2.0");
        }
        if (n.contains("affero") || n.contains("agpl")) {
            return Optional.of("AGPL-3.0");
        }
        if (n.contains("lesser general public") || n.contains("library general public") || n.contains("lgpl")) {
            return Optional.of(n.contains("3") ? "LGPL-3.0" : n.contains("2 0") ? "LGPL-2.0" : "LGPL-2.1");
        }
        if (n.contains("general public license") || padded.matches(".* gpl ?v?[23]? .*")) {
            if (n.contains("classpath") || padded.contains(" cpe ")) {
                return Optional.of(LicenseClassifier.GPL2_CLASSPATH);
            }
            return Optional.of(n.contains("3") ? "GPL-3.0" : "GPL-2.0");
        }
        if (n.contains("bsd")) {
            if (n.contains("2 clause") || n.contains("simplified") || n.contains("freebsd")) {
                return Optional.of("BSD-2-Clause");
            }
            return Optional.of("BSD-3-Clause");
        }
        if (n.contains("unlicense")) {
            return Optional.of("Unlicense");
        }
        if (n.contains("cc0") || n.contains("publicdomain zero")) {
            return Optional.of("CC0-1.0");
        }
        if (n.contains("public domain")) {
            return Optional.of(PUBLIC_DOMAIN);
        }
        if (padded.contains(" isc ")) {
            return Optional.of("ISC");
        }
        if (n.contains("zlib")) {
            return Optional.of("Zlib");
        }
        if (n.contains("boost software license")) {
            return Optional.of("BSL-1.0");
        }
        if (n.contains("common development and distribution license") || padded.contains(" cddl ")) {
            return Optional.of(n.contains("1 1") ? "CDDL-1.1" : "CDDL-1.0");
        }
        return Optional.empty();
    }

    /**
     * Whether a license id or expression is allowed by {@code allow}: an {@code OR} needs one
     * allowed alternative, an {@code AND} needs all; {@code X WITH Y} must be listed as such.
     */
    public static boolean allowed(String expression, Set<String> allow) {
        String s = expression.strip();
        while (s.startsWith("(") && s.endsWith(")") && balanced(s.substring(1, s.length() - 1))) {
            s = s.substring(1, s.length() - 1).strip();
        }
        List<String> or = splitTopLevel(s, " OR ");
        if (or.size() > 1) {
            for (String p : or) {
                if (allowed(p, allow)) {
                    return true;
                }
            }
            return false;
        }
        List<String> and = splitTopLevel(s, " AND ");
        if (and.size() > 1) {
            for (String p : and) {
                if (!allowed(p, allow)) {
                    return false;
                }
            }
            return true;
        }
        return allow.contains(s);
    }
}
