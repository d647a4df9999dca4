package dev.kiln.data.pii;

/**
 * [{@code assigned-secret}, {@code assigned-password}] a string (or a bare value in
 * .env/YAML/properties) assigned with {@code =}, {@code :}, {@code :=} or {@code =>} to a name that
 * means a secret ({@link SecretNames}). A key value needs ≥ 16 characters, a letter and a digit, no
 * spaces or dots, an entropy of at least the scanner's {@code minEntropy} and not to be made of
 * words ({@link Randomness#genericSecret}); a password value ≥ 6 characters, no spaces, not only
 * letters, and entropy ≥ 2.0. A vendor token in the value keeps its own detector.
 */
final class Assignments {

    private Assignments() {}

    /** {@code name = "value"}, {@code "name": "value"}, {@code NAME=value}, {@code name := value}, {@code name => value}. */
    static int at(Scan sc, int op) {
        String s = sc.s;
        int n = sc.n;
        char c = s.charAt(op);
        int valueFrom;
        if (c == ':') {
            if (op + 1 < n && (s.charAt(op + 1) == ':' || s.charAt(op + 1) == '=')) {
                return -1; // '::' or ':=' (handled at '=')
            }
            if (op > 0 && s.charAt(op - 1) == ':') {
                return -1;
            }
            valueFrom = op + 1;
        } else {
            if (op + 1 < n && s.charAt(op + 1) == '=') {
                return op + 2; // '=='
            }
            valueFrom = op + 1;
            if (op + 1 < n && s.charAt(op + 1) == '>') {
                valueFrom = op + 2; // '=>'
            }
            if (op > 0 && "!<>=+*/%&|^".indexOf(s.charAt(op - 1)) >= 0) {
                return -1;
            }
        }
        // the name before the operator
        int j = op - 1;
        if (c == '=' && j >= 0 && s.charAt(j) == ':') {
            j--;
        }
        while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j--;
        }
        if (j >= 0 && (s.charAt(j) == '"' || s.charAt(j) == '\'' || s.charAt(j) == ']')) {
            j--;
        }
        int nameEnd = j + 1;
        while (j >= 0 && j > op - 64) {
            char d = s.charAt(j);
            if (Scan.isWord(d) || d == '-' || d == '.') {
                j--;
            } else {
                break;
            }
        }
        int nameStart = j + 1;
        if (nameEnd - nameStart < 3 || !SecretNames.mightBe(sc, nameStart, nameEnd)) {
            return -1;
        }
        int kind = SecretNames.classify(s.substring(nameStart, nameEnd));
        if (kind == SecretNames.NONE) {
            return -1;
        }
        // the value
        int p = valueFrom;
        while (p < n && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
            p++;
        }
        if (p >= n) {
            return -1;
        }
        char q = s.charAt(p);
        int vs;
        int ve;
        if (q == '"' || q == '\'' || q == '`') {
            vs = p + 1;
            ve = vs;
            while (ve < n && s.charAt(ve) != q && s.charAt(ve) != '\n' && ve - vs <= 1024) {
                if (s.charAt(ve) == '\\') {
                    ve++;
                }
                ve++;
            }
            if (ve >= n || s.charAt(ve) != q) {
                return -1;
            }
        } else {
            vs = p;
            ve = p;
            while (ve < n && ve - vs <= 1024) {
                char d = s.charAt(ve);
                if (d == ' ' || d == '\n' || d == '\r' || d == '\t' || d == ';' || d == ',' || d == '#' || d == '}'
                        || d == ')' || d == ']' || d == '"' || d == '\'') {
                    break;
                }
                if (d == '(' || d == '[' || d == '{') {
                    return -1; // a call or a literal, not a value
                }
                ve++;
            }
        }
        if (ve <= vs) {
            return -1;
        }
        int token = sc.wordStart(vs, s.charAt(vs)); // pypi-..., ghp_...: their own detector and type
        if (token > vs) {
            return token;
        }
        boolean password = kind == SecretNames.PASSWORD;
        if (password ? passwordValue(sc, vs, ve) : keyValue(sc, vs, ve)) {
            if (!sc.cfg.allowed(s.substring(vs, ve))) {
                sc.add(
                        password ? PiiType.PASSWORD : PiiType.KEY,
                        vs,
                        ve,
                        password ? "assigned-password" : "assigned-secret");
            }
            return ve;
        }
        return -1;
    }

    private static boolean keyValue(Scan sc, int vs, int ve) {
        int len = ve - vs;
        if (len < 16 || len > 1024) {
            return false;
        }
        String s = sc.s;
        for (int p = vs; p < ve; p++) {
            char c = s.charAt(p);
            if (c == ' ' || c == '.' || c == '$' || c == '{' || c == '<' || c == '%' || c >= 128) {
                return false;
            }
        }
        String v = s.substring(vs, ve);
        if (Placeholders.uuid(v)
                || Placeholders.hashPrefixed(v)
                || Placeholders.isPlaceholder(v)
                || v.contains("://")
                || v.startsWith("/")) {
            return false;
        }
        return Randomness.genericSecret(s, vs, ve, sc.cfg.minEntropy());
    }

    private static boolean passwordValue(Scan sc, int vs, int ve) {
        int len = ve - vs;
        if (len < 6 || len > 128) {
            return false;
        }
        String s = sc.s;
        boolean nonLetter = false;
        for (int p = vs; p < ve; p++) {
            char c = s.charAt(p);
            if (c == ' ' || c == '\t') {
                return false;
            }
            if (!(Randomness.isLetter(c) || c == '_')) {
                nonLetter = true;
            }
        }
        if (!nonLetter) {
            return false;
        }
        String v = s.substring(vs, ve);
        char f = v.charAt(0);
        if (f == '$' || f == '{' || f == '<' || f == '%' || f == '@' || f == '#' || Placeholders.isPlaceholder(v)) {
            return false;
        }
        return Randomness.entropy(s, vs, ve) >= 2.0;
    }
}
