package dev.kiln.data.pii;

/**
 * Secrets recognised by structure rather than by a vendor prefix: JSON Web Tokens, {@code Bearer}
 * credentials, and the AWS secret access key that follows an access key id.
 */
final class Tokens {

    private Tokens() {}

    /** [{@code jwt}] {@code eyJ<header>.eyJ<payload>.<signature>}, base64url parts. */
    static int jwt(Scan sc, int i) {
        int n = sc.n;
        String s = sc.s;
        int p = b64url(sc, i);
        if (p - i < 10 || p >= n || s.charAt(p) != '.' || !sc.startsWith(p + 1, "eyJ")) {
            return -1;
        }
        int q = b64url(sc, p + 1);
        if (q - p < 10 || q >= n || s.charAt(q) != '.') {
            return -1;
        }
        int r = b64url(sc, q + 1);
        if (r - q - 1 < 16) {
            return -1;
        }
        return sc.emitToken(i, r, PiiType.KEY, "jwt");
    }

    private static int b64url(Scan sc, int p) {
        while (p < sc.n && (Scan.isWord(sc.s.charAt(p)) || sc.s.charAt(p) == '-')) {
            p++;
        }
        return p;
    }

    /**
     * [{@code bearer-token}] {@code Bearer <token>}: 20+ token characters with a letter and a digit,
     * entropy ≥ 3.5 and not made of words; a JWT or vendor token keeps its own kind.
     */
    static int bearer(Scan sc, int p) {
        int n = sc.n;
        String s = sc.s;
        if (p >= n) {
            return -1;
        }
        int q = p;
        while (q < n) {
            char c = s.charAt(q);
            if (Scan.isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/') {
                q++;
            } else {
                break;
            }
        }
        while (q < n && s.charAt(q) == '=') {
            q++;
        }
        if (q - p < 20 || q - p > 4096) {
            return -1;
        }
        int known = sc.wordStart(p, s.charAt(p));
        if (known > p) {
            return known;
        }
        String v = s.substring(p, q);
        if (Placeholders.isPlaceholder(v) || sc.cfg.allowed(v) || !Randomness.genericSecret(s, p, q, 3.5)) {
            return -1;
        }
        sc.add(PiiType.KEY, p, q, "bearer-token");
        return q;
    }

    /**
     * [{@code aws-secret-key}] next to an access key id ({@code new BasicAWSCredentials("AKIA...",
     * "<40 chars>")}): the first run of exactly 40 {@code [A-Za-z0-9/+]} within 200 characters,
     * mixing cases and digits, with entropy ≥ 4 bits per character.
     */
    static void awsSecretNear(Scan sc, int from) {
        int n = sc.n;
        String s = sc.s;
        int limit = Math.min(n, from + 200);
        int p = from;
        while (p < limit) {
            char c = s.charAt(p);
            if (Scan.isAlnum(c) || c == '/' || c == '+') {
                int q = p;
                while (q < n && (Scan.isAlnum(s.charAt(q)) || s.charAt(q) == '/' || s.charAt(q) == '+')) {
                    q++;
                }
                if (q - p == 40 && (q == n || s.charAt(q) != '=') && Randomness.classes(s, p, q) == 7) {
                    String v = s.substring(p, q);
                    if (!sc.cfg.allowed(v) && !v.contains("EXAMPLE") && Randomness.entropy(s, p, q) >= 4.0) {
                        sc.add(PiiType.KEY, p, q, "aws-secret-key");
                    }
                    return;
                }
                p = q;
            } else {
                p++;
            }
        }
    }
}
