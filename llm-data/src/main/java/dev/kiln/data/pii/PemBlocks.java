package dev.kiln.data.pii;

/** [{@code private-key}] PEM {@code -----BEGIN … PRIVATE KEY-----} blocks through their END line. */
final class PemBlocks {

    private PemBlocks() {}

    static int at(Scan sc, int i) {
        String s = sc.s;
        if (!sc.startsWith(i, "-----BEGIN ")) {
            return -1;
        }
        int hdrEnd = s.indexOf("-----", i + 11);
        if (hdrEnd < 0 || hdrEnd - i > 80) {
            return -1;
        }
        if (s.lastIndexOf("PRIVATE KEY", hdrEnd) < i) {
            return hdrEnd + 5;
        }
        int endMarker = s.indexOf("-----END ", hdrEnd + 5);
        int end;
        if (endMarker < 0) {
            end = sc.n;
        } else {
            int close = s.indexOf("-----", endMarker + 9);
            end = close < 0 ? sc.n : close + 5;
        }
        sc.add(PiiType.KEY, i, end, "private-key");
        return end;
    }
}
