package dev.kiln.data.pii;

/** Hand-written IPv4 / IPv6 parsing and range classification (no regex, no allocation). */
final class IpAddresses {

    private IpAddresses() {}

    /**
     * Parses an IPv4 address at {@code i}: four decimal octets ≤ 255 without leading zeros. Returns
     * the end index, or -1. The caller checks boundaries.
     */
    static int parseV4(String s, int i, int[] octets) {
        int n = s.length();
        int p = i;
        for (int k = 0; k < 4; k++) {
            if (k > 0) {
                if (p >= n || s.charAt(p) != '.') {
                    return -1;
                }
                p++;
            }
            int start = p;
            int v = 0;
            while (p < n && p - start < 4 && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
                v = v * 10 + (s.charAt(p) - '0');
                p++;
            }
            int len = p - start;
            if (len == 0 || len > 3 || v > 255 || (len > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            octets[k] = v;
        }
        return p;
    }

    /**
     * Whether an IPv4 address is globally routable: not unspecified/"this network" (0/8), private
     * (10/8, 172.16/12, 192.168/16), shared (100.64/10), loopback (127/8), link-local (169.254/16),
     * IETF (192.0.0/24), documentation (192.0.2/24, 198.51.100/24, 203.0.113/24), benchmarking
     * (198.18/15), 6to4 relay (192.88.99/24), multicast (224/4), reserved (240/4) or broadcast.
     */
    static boolean isPublicV4(int a, int b, int c) {
        if (a == 0 || a == 10 || a == 127 || a >= 224) {
            return false;
        }
        if (a == 100 && b >= 64 && b <= 127) {
            return false;
        }
        if (a == 169 && b == 254) {
            return false;
        }
        if (a == 172 && b >= 16 && b <= 31) {
            return false;
        }
        if (a == 192 && b == 168) {
            return false;
        }
        if (a == 192 && b == 0 && (c == 0 || c == 2)) {
            return false;
        }
        if (a == 192 && b == 88 && c == 99) {
            return false;
        }
        if (a == 198 && (b == 18 || b == 19)) {
            return false;
        }
        if (a == 198 && b == 51 && c == 100) {
            return false;
        }
        return !(a == 203 && b == 0 && c == 113);
    }

    /**
     * Parses an IPv6 address in {@code s[i, end)}: hex groups of 1–4 digits, at most one {@code
     * ::}, optionally an embedded IPv4 tail. Fills {@code groups} (8 entries) and returns true when
     * valid.
     */
    static boolean parseV6(String s, int i, int end, int[] groups, int[] v4) {
        int[] head = new int[8];
        int nHead = 0;
        int[] tail = new int[8];
        int nTail = 0;
        boolean compressed = false;
        int p = i;
        if (end - i >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
            compressed = true;
            p = i + 2;
            if (p == end) {
                java.util.Arrays.fill(groups, 0);
                return true;
            }
        } else if (p < end && s.charAt(p) == ':') {
            return false;
        }
        while (p < end) {
            // embedded IPv4?
            int dot = -1;
            for (int q = p; q < end && q - p <= 3; q++) {
                if (s.charAt(q) == '.') {
                    dot = q;
                    break;
                }
                if (s.charAt(q) == ':') {
                    break;
                }
            }
            if (dot >= 0) {
                int e = parseV4(s, p, v4);
                if (e != end) {
                    return false;
                }
                int hi = v4[0] << 8 | v4[1];
                int lo = v4[2] << 8 | v4[3];
                if (compressed) {
                    tail[nTail++] = hi;
                    if (nTail >= 8) {
                        return false;
                    }
                    tail[nTail++] = lo;
                } else {
                    if (nHead + 2 > 8) {
                        return false;
                    }
                    head[nHead++] = hi;
                    head[nHead++] = lo;
                }
                p = end;
                break;
            }
            int v = 0;
            int len = 0;
            while (p < end && len < 5) {
                int d = Character.digit(s.charAt(p), 16);
                if (d < 0) {
                    break;
                }
                v = v << 4 | d;
                len++;
                p++;
            }
            if (len == 0 || len > 4) {
                return false;
            }
            if (compressed) {
                if (nTail >= 8) {
                    return false;
                }
                tail[nTail++] = v;
            } else {
                if (nHead >= 8) {
                    return false;
                }
                head[nHead++] = v;
            }
            if (p == end) {
                break;
            }
            if (s.charAt(p) != ':') {
                return false;
            }
            p++;
            if (p < end && s.charAt(p) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                p++;
                if (p == end) {
                    break;
                }
            } else if (p == end) {
                return false;
            }
        }
        int total = nHead + nTail;
        if (compressed ? total > 7 : total != 8) {
            return false;
        }
        java.util.Arrays.fill(groups, 0);
        System.arraycopy(head, 0, groups, 0, nHead);
        System.arraycopy(tail, 0, groups, 8 - nTail, nTail);
        return true;
    }

    /**
     * Whether an IPv6 address is global unicast (2000::/3) and not documentation (2001:db8::/32),
     * IETF protocol space (2001::/23) or an IPv4-mapped / compatible / ORCHID range.
     */
    static boolean isPublicV6(int[] g) {
        int first = g[0];
        if (first < 0x2000 || first > 0x3fff) {
            return false;
        }
        if (first == 0x2001 && (g[1] == 0x0db8 || g[1] < 0x0200)) {
            return false;
        }
        return !(first == 0x3fff && g[1] < 0x1000); // 3fff::/20 documentation (RFC 9637)
    }
}
