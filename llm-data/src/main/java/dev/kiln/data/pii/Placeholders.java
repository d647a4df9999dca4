package dev.kiln.data.pii;

import java.util.Locale;
import java.util.Set;

/** Values that look like secrets but are not: documentation samples, template variables, hashes, UUIDs. */
final class Placeholders {

    private Placeholders() {}

    /** Well-known example values from vendor documentation: never reported. */
    static final Set<String> KNOWN_EXAMPLES = Set.of(
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAI44QH8DHBEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_TYooMQauvdEDq54NiTphI7jx",
            "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");

    /** 8-4-4-4-12 hex digits. */
    static boolean uuid(String v) {
        if (v.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = v.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (c >= 128 || Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A hash with its algorithm prefix ({@code sha256:}, {@code sha512-}, Go's {@code h1:}). */
    static boolean hashPrefixed(String v) {
        String l = v.toLowerCase(Locale.ROOT);
        return l.startsWith("sha1")
                || l.startsWith("sha256")
                || l.startsWith("sha384")
                || l.startsWith("sha512")
                || l.startsWith("md5")
                || l.startsWith("h1:")
                || l.startsWith("blake");
    }

    /** Template variables, documentation stand-ins and masked values. */
    static boolean isPlaceholder(String v) {
        if (v.contains("EXAMPLE")) {
            return true;
        }
        String l = v.toLowerCase(Locale.ROOT);
        return l.contains("example")
                || l.contains("xxxx")
                || l.contains("****")
                || l.contains("your")
                || l.contains("placeholder")
                || l.contains("changeme")
                || l.contains("change_me")
                || l.contains("dummy")
                || l.contains("redacted")
                || l.contains("${")
                || l.contains("{{")
                || l.contains("<")
                || l.contains("%s")
                || l.contains("%(")
                || l.contains("process.env")
                || l.contains("getenv")
                || l.contains("environ")
                || l.contains("fake")
                || l.contains("1234567890")
                || l.contains("abcdef")
                || l.contains("here")
                || l.contains("...");
    }
}
