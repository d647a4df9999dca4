package dev.kiln.data.license;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies license texts (a {@code LICENSE}, {@code COPYING} file, or a file's header comment)
 * as SPDX ids with compact fingerprints: each license is recognised by its title or by phrases that
 * only its text contains, matched on a normalised text (lower case, punctuation and line breaks
 * folded to single spaces), so re-wrapped or comment-prefixed copies still match.
 *
 * <pre>{@code
 * List<String> ids = LicenseClassifier.classify(Files.readString(Path.of("LICENSE")));  // [MIT]
 * }</pre>
 *
 * <p>Recognised: MIT, Apache-2.0, BSD-2-Clause, BSD-3-Clause, ISC, Unlicense, CC0-1.0, 0BSD, Zlib,
 * MPL-2.0, EPL-1.0, EPL-2.0, LGPL-2.1, LGPL-3.0, GPL-2.0, GPL-3.0, AGPL-3.0 and {@code GPL-2.0 WITH
 * Classpath-exception-2.0}. Of the "titled" licenses (Apache, MPL, EPL, the GNU family) only the
 * one named first counts: their texts name each other (MPL-2.0 lists the GPL as a secondary
 * license). Full-text permissive licenses (MIT, BSD, ISC, Zlib ...) are all reported, so a file
 * that carries several licenses yields several ids, in text order.
 */
public final class LicenseClassifier {

    /** The id of the OpenJDK license. */
    public static final String GPL2_CLASSPATH = "GPL-2.0 WITH Classpath-exception-2.0";

    private LicenseClassifier() {}

    private record Titled(String id, Pattern pattern) {}

    private static final List<Titled> TITLES = List.of(
            new Titled("Apache-2.0", Pattern.compile("apache license (?:version |v )?2 0")),
            new Titled("MPL-2.0", Pattern.compile("mozilla public license (?:version |v ?)?2 0")),
            new Titled("MPL-1.1", Pattern.compile("mozilla public license (?:version |v ?)?1 1")),
            new Titled("Artistic-2.0", Pattern.compile("the artistic license 2 0")),
            new Titled("BlueOak-1.0.0", Pattern.compile("blue oak model license version 1 0 0")),
            new Titled("PSF-2.0", Pattern.compile("python software foundation license version 2")),
            new Titled(
                    "LGPL-2.0",
                    Pattern.compile("gnu library general public license (?:lgpl )?(?:version |v ?)?2(?! 1)")),
            new Titled("EPL-1.0", Pattern.compile("eclipse public license (?:version |v ?)?1 0")),
            new Titled("EPL-2.0", Pattern.compile("eclipse public license (?:version |v ?)?2 0")),
            new Titled("AGPL-3.0", Pattern.compile("gnu affero general public license (?:agpl )?(?:version |v ?)?3")),
            new Titled("LGPL-3.0", Pattern.compile("gnu lesser general public license (?:lgpl )?(?:version |v ?)?3")),
            new Titled(
                    "LGPL-2.1",
                    Pattern.compile("gnu (?:lesser|library) general public license (?:lgpl )?(?:version |v ?)?2 1")),
            new Titled("GPL-3.0", Pattern.compile("gnu general public license (?:gpl )?(?:version |v ?)?3")),
            new Titled("GPL-2.0", Pattern.compile("gnu general public license (?:gpl )?(?:version |v ?)?2")),
            // Header notices: "... under the terms of the GNU General Public License as published by the
            // Free Software Foundation; either version 3 of the License ..."
            new Titled(
                    "AGPL-3.0",
                    Pattern.compile("gnu affero general public license as published by the free software foundation"
                            + "(?: either)? version 3")),
            new Titled(
                    "LGPL-3.0",
                    Pattern.compile("gnu lesser general public license as published by the free software foundation"
                            + "(?: either)? version 3")),
            new Titled(
                    "LGPL-2.1",
                    Pattern.compile("gnu lesser general public license as published by the free software foundation"
                            + "(?: either)? version 2 1")),
            new Titled(
                    "GPL-3.0",
                    Pattern.compile("gnu general public license as published by the free software foundation"
                            + "(?: either)? version 3")),
            new Titled(
                    "GPL-2.0",
                    Pattern.compile("gnu general public license as published by the free software foundation"
                            + "(?: either)? version 2")),
            new Titled(
                    "MIT",
                    Pattern.compile("(?:licensed|released|distributed) under the (?:terms of the )?mit license")));

    private static final String CLASSPATH_1 = "classpath exception";
    private static final String CLASSPATH_2 =
            "linking this library statically or dynamically with other modules is making a combined work";

    /**
     * The SPDX ids whose text or notice {@code text} carries, in order of appearance; empty when
     * none is recognised.
     */
    public static List<String> classify(String text) {
        String n = normalize(text);
        List<long[]> found = new ArrayList<>(); // {position, index into IDS}
        List<String> ids = new ArrayList<>();

        // The first titled license.
        int bestPos = Integer.MAX_VALUE;
        String best = null;
        for (Titled t : TITLES) {
            Matcher m = t.pattern.matcher(n);
            if (m.find() && m.start() < bestPos) {
                bestPos = m.start();
                best = t.id;
            }
        }
        if (best != null) {
            if (best.equals("GPL-2.0") && (n.contains(CLASSPATH_1) || n.contains(CLASSPATH_2))) {
                best = GPL2_CLASSPATH;
            }
            add(found, ids, bestPos, best);
        }

        // Full-text permissive licenses.
        int mit = n.indexOf("permission is hereby granted free of charge to any person obtaining a copy");
        if (mit >= 0) {
            boolean notice = n.contains("the above copyright notice and this permission notice shall be included");
            add(found, ids, mit, notice ? "MIT" : "MIT-0");
        }
        int isc = n.indexOf("permission to use copy modify and or distribute this software for any purpose");
        if (isc >= 0) {
            boolean notice = n.contains("provided that the above copyright notice and this permission notice appear");
            add(found, ids, isc, notice ? "ISC" : "0BSD");
        }
        int bsd = n.indexOf(
                "redistribution and use in source and binary forms with or without modification are permitted");
        if (bsd >= 0 && n.contains("redistributions of source code must retain")) {
            String id;
            if (n.contains("all advertising materials mentioning features")) {
                id = "BSD-4-Clause";
            } else if (n.contains("endorse or promote products derived from")) {
                id = "BSD-3-Clause";
            } else {
                id = "BSD-2-Clause";
            }
            add(found, ids, bsd, id);
        }
        int unl = n.indexOf("this is free and unencumbered software released into the public domain");
        if (unl >= 0) {
            add(found, ids, unl, "Unlicense");
        }
        int cc0 = n.indexOf("cc0 1 0 universal");
        if (cc0 < 0 && n.contains("creative commons") && n.contains("cc0")) {
            cc0 = n.indexOf("cc0");
        }
        if (cc0 >= 0) {
            add(found, ids, cc0, "CC0-1.0");
        }
        int zlib = n.indexOf("altered source versions must be plainly marked as such");
        if (zlib >= 0 && n.contains("the origin of this software must not be misrepresented")) {
            add(found, ids, zlib, "Zlib");
        }
        found.sort((a, b) -> Long.compare(a[0], b[0]));
        List<String> out = new ArrayList<>();
        for (long[] f : found) {
            String id = ids.get((int) f[1]);
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    private static void add(List<long[]> found, List<String> ids, int pos, String id) {
        ids.add(id);
        found.add(new long[] {pos, ids.size() - 1});
    }

    /** Lower case, every run of non-alphanumerics folded to one space. */
    static String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean space = true;
        for (int i = 0, len = text.length(); i < len; i++) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
                space = false;
            } else if (c >= 'A' && c <= 'Z') {
                sb.append((char) (c + 32));
                space = false;
            } else if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
                space = false;
            } else if (!space) {
                sb.append(' ');
                space = true;
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
