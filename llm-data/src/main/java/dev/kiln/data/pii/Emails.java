package dev.kiln.data.pii;

/**
 * [{@code email}] {@code local@domain.tld}: a TLD of 2–24 letters that is not a file extension
 * ({@code icon@2x.png}), a local part that is not {@code git} ({@code git@github.com:...}).
 */
final class Emails {

    private Emails() {}

    private static final String[] FILE_TLDS = {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "mjs", "ts", "css", "scss", "html", "htm",
        "json", "xml", "yaml", "yml", "md", "txt", "py", "rb", "go", "rs", "java", "kt", "php", "sh", "zip", "gz",
        "tgz", "jar", "map", "lock", "pdf", "mp4", "mp3", "wav", "woff", "woff2", "ttf", "eot", "otf", "min"
    };

    static int at(Scan sc, int at) {
        String s = sc.s;
        int n = sc.n;
        int j = at - 1;
        int floor = Math.max(sc.lastEnd, at - 64);
        while (j >= floor && localChar(s.charAt(j))) {
            j--;
        }
        int ls = j + 1;
        while (ls < at && s.charAt(ls) == '.') {
            ls++;
        }
        if (ls >= at || s.charAt(at - 1) == '.') {
            return -1;
        }
        if (at - ls == 3 && s.startsWith("git", ls)) {
            return -1;
        }
        // domain: labels of [A-Za-z0-9-] separated by dots, the last one letters only
        int p = at + 1;
        int labels = 0;
        int lastLabel = p;
        int end = -1;
        while (p < n && p - at < 254) {
            int ls2 = p;
            while (p < n && (Scan.isAlnum(s.charAt(p)) || s.charAt(p) == '-')) {
                p++;
            }
            if (p == ls2 || s.charAt(ls2) == '-' || s.charAt(p - 1) == '-') {
                break;
            }
            labels++;
            lastLabel = ls2;
            end = p;
            if (p + 1 < n && s.charAt(p) == '.' && Scan.isAlnum(s.charAt(p + 1))) {
                p++;
            } else {
                break;
            }
        }
        if (labels < 2 || end < 0) {
            return -1;
        }
        int tldLen = end - lastLabel;
        if (tldLen < 2 || tldLen > 24) {
            return -1;
        }
        for (int q = lastLabel; q < end; q++) {
            if (!Randomness.isLetter(s.charAt(q))) {
                return -1;
            }
        }
        for (String ext : FILE_TLDS) {
            if (ext.length() == tldLen && s.regionMatches(true, lastLabel, ext, 0, tldLen)) {
                return -1;
            }
        }
        if (end < n && (Scan.isWord(s.charAt(end)) || s.charAt(end) == '@')) {
            return -1;
        }
        sc.add(PiiType.EMAIL, ls, end, "email");
        return end;
    }

    private static boolean localChar(char c) {
        return Scan.isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }
}
