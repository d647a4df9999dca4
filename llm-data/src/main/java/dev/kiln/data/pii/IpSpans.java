package dev.kiln.data.pii;

/**
 * [{@code ipv4}, {@code ipv6}] addresses that parse and are globally routable ({@link
 * IpAddresses}). Version look-alikes are left alone: dotted quads whose octets are all below 32
 * ({@code 1.2.3.4}, section {@code 4.10.1.2}; this also spares public resolvers like {@code
 * 8.8.8.8}, which are not personal), OID-shaped quads (first arc 0–2, second below 40: {@code
 * 2.5.29.35}), quads inside a longer dotted run ({@code 1.3.6.1.4.1}), after {@code v} or with
 * {@code version} in the 24 characters before. {@code 3.5.140.2} is an address.
 */
final class IpSpans {

    private IpSpans() {}

    static int at(Scan sc, int i) {
        String s = sc.s;
        int n = sc.n;
        if (i > 0) {
            char prev = s.charAt(i - 1);
            if (prev == '.' || prev == ':' || prev == '-' || prev == '/' && i > 1 && s.charAt(i - 2) == '.') {
                return -1;
            }
        }
        // IPv6 global unicast starts with 4 hex digits 2xxx/3xxx then ':'
        char c = s.charAt(i);
        if ((c == '2' || c == '3') && i + 4 < n && s.charAt(i + 4) == ':') {
            return v6(sc, i);
        }
        if (sc.octets == null) {
            sc.octets = new int[4];
        }
        int[] o = sc.octets;
        int end = IpAddresses.parseV4(s, i, o);
        if (end < 0) {
            return -1;
        }
        if (end < n) {
            char d = s.charAt(end);
            if (Scan.isWord(d) || (d == '.' && end + 1 < n && Scan.isWord(s.charAt(end + 1)))) {
                return end; // part of a longer dotted run (OID, version), skip it
            }
        }
        if (versionLike(o) || versionContext(s, i)) {
            return end;
        }
        if (IpAddresses.isPublicV4(o[0], o[1], o[2])) {
            sc.add(PiiType.IP_ADDRESS, i, end, "ipv4");
        }
        return end;
    }

    /** 1.2.3.4, 4.10.1.2, 8.8.8.8: all octets below 32; 2.5.29.35, 1.2.840.1: an OID's first arcs. */
    static boolean versionLike(int[] o) {
        return (o[0] < 32 && o[1] < 32 && o[2] < 32 && o[3] < 32) || (o[0] <= 2 && o[1] < 40);
    }

    private static boolean versionContext(String s, int i) {
        int from = Math.max(0, i - 24);
        for (int j = i - 7; j >= from; j--) {
            char c = s.charAt(j);
            if (c == '\n') {
                return false;
            }
            if ((c == 'v' || c == 'V') && s.regionMatches(true, j, "version", 0, 7)) {
                return true;
            }
        }
        return false;
    }

    private static int v6(Scan sc, int i) {
        String s = sc.s;
        int n = sc.n;
        int p = i;
        while (p < n && p - i < 45) {
            char c = s.charAt(p);
            if (c == ':' || c == '.' || (c < 128 && Character.digit(c, 16) >= 0)) {
                p++;
            } else {
                break;
            }
        }
        if (p < n && (Scan.isWord(s.charAt(p)) || s.charAt(p) == ':')) {
            return -1;
        }
        int end = p;
        // a trailing single ':' or '.' is punctuation ("at 2a00:1450::1:")
        while (end > i && (s.charAt(end - 1) == '.' || (s.charAt(end - 1) == ':' && s.charAt(end - 2) != ':'))) {
            end--;
        }
        int[] groups = new int[8];
        if (!IpAddresses.parseV6(s, i, end, groups, new int[4])) {
            return -1;
        }
        if (IpAddresses.isPublicV6(groups)) {
            sc.add(PiiType.IP_ADDRESS, i, end, "ipv6");
        }
        return end;
    }
}
