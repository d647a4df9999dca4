package dev.kiln.data.pii;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds emails, public IP addresses, secret keys and passwords in text in <b>one pass</b>: a
 * hand-written scanner that walks the text once, skips whole words with one table lookup per
 * character, and only looks closer at trigger points — the start of a word beginning with a known
 * token prefix ({@code AKIA}, {@code ghp_}, {@code xoxb-}, {@code eyJ}, ...), a digit (IP
 * addresses), {@code @} (emails), {@code =} / {@code :} (assignments to secret-looking names, and
 * {@code ://} URLs with passwords) and {@code -----BEGIN} (PEM blocks). No regex runs.
 *
 * <p>Detectors (kind in brackets):
 *
 * <ul>
 *   <li>[{@code email}] {@code local@domain.tld}: TLD of 2–24 letters that is not a file
 *       extension ({@code icon@2x.png}), local part not {@code git} ({@code git@github.com:...}).
 *   <li>[{@code ipv4}, {@code ipv6}] addresses that parse and are globally routable; private,
 *       loopback, link-local, shared, documentation, benchmarking, multicast, reserved and
 *       unspecified ranges are left alone, and so are version look-alikes: dotted quads whose
 *       octets are all below 32 or whose first two octets are single digits ({@code 1.2.3.4}, section
 *       {@code 4.10.1.2}, OID {@code 2.5.29.35}; this also spares public resolvers like {@code
 *       8.8.8.8}, which are not personal), quads inside a longer dotted run ({@code
 *       1.3.6.1.4.1}), after {@code v} or with {@code version} in the 24 characters before.
 *   <li>[{@code aws-access-key}] {@code AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA} + 16
 *       upper-case letters/digits; [{@code github-token}] {@code ghp_ gho_ ghu_ ghs_ ghr_} + 36,
 *       {@code github_pat_} + 22+; [{@code gitlab-token}] {@code glpat- gldt- glrt- glptt- glcbt-
 *       gloas- glsoat-} + 20+; [{@code slack-token}] {@code xox[abposre]-} + 10+, and Slack webhook
 *       URLs; [{@code stripe-key}] {@code sk_live_ rk_live_ sk_test_ rk_test_ whsec_} + 16+;
 *       [{@code google-api-key}] {@code AIza} + 35; [{@code twilio-key}] {@code SK}/{@code AC} + 32
 *       hex; [{@code sendgrid-key}] {@code SG.}22{@code .}43; [{@code npm-token}] {@code npm_} + 36;
 *       [{@code pypi-token}] {@code pypi-} + 50+; [{@code jwt}] {@code eyJ…}.{@code eyJ…}.sig;
 *       [{@code openai-key}] {@code sk-} + 32+ (OpenAI, Anthropic); [{@code huggingface-token}]
 *       {@code hf_} + 30+; [{@code mailgun-key}] {@code key-} + 32 hex; [{@code
 *       digitalocean-token}] {@code dop_v1_} + 64 hex; [{@code bearer-token}] {@code Bearer } + 20+
 *       token characters with entropy ≥ 3.5; [{@code aws-secret-key}] a 40-character {@code
 *       [A-Za-z0-9/+]} run with entropy ≥ 4 within 200 characters after an AWS key id;
 *       [{@code private-key}] PEM {@code -----BEGIN … PRIVATE KEY-----} blocks through their END
 *       line.
 *   <li>[{@code url-password}] the password of {@code scheme://user:password@host}.
 *   <li>[{@code assigned-secret}, {@code assigned-password}] a string (or bare value in
 *       .env/YAML/properties) assigned with {@code =}, {@code :}, {@code :=} or {@code =>} to a name
 *       that means a secret: it contains {@code secret}, {@code token}, {@code credential}, {@code
 *       password}, {@code passwd}, {@code passphrase}, or ends in {@code key} / {@code pwd} /
 *       {@code pass} (not {@code primary_key}, {@code sort_key}, {@code public_key}, ... ). A key
 *       value needs ≥ 16 characters, a letter and a digit, no spaces or dots, and a Shannon entropy
 *       of at least {@code minEntropy} bits per character (default 3.0: random hex of 16+ characters
 *       scores ~3.5–4, base64 ~4.5–5.5, words and repeated patterns below 3). A password value needs
 *       ≥ 6 characters, no spaces, not only letters, and entropy ≥ 2.0.
 * </ul>
 *
 * <p>Never reported: UUIDs, hashes with an algorithm prefix ({@code sha256:}, {@code sha512-}),
 * placeholders ({@code ${VAR}}, {@code <key>}, {@code your_key}, {@code xxxx}, {@code changeme},
 * anything with {@code example}/{@code EXAMPLE}), and the well-known documentation values (AWS's
 * {@code AKIAIOSFODNN7EXAMPLE}, Stripe's and jwt.io's samples) plus any user allowlist. Hashes and
 * git SHAs are not secrets by shape: plain hex is only reported when assigned to a secret name.
 *
 * <p>Immutable and thread-safe; build once, share.
 *
 * <pre>{@code
 * PiiScanner scanner = PiiScanner.builder().optTypes(EnumSet.of(PiiType.KEY, PiiType.EMAIL)).build();
 * for (PiiSpan s : scanner.scan(code)) {
 *     System.out.println(s.type() + " " + s.kind() + " at " + s.start());
 * }
 * }</pre>
 */
public final class PiiScanner implements Serializable {

    private static final long serialVersionUID = 1L;

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

    private static final String[] AWS_PREFIXES = {
        "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"
    };
    private static final String[] GITLAB_PREFIXES = {"glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-"
    };
    private static final String[] STRIPE_PREFIXES = {"sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"};
    private static final String[] KEY_NAME_EXCLUSIONS = {
        "primary",
        "foreign",
        "sort",
        "cache",
        "partition",
        "hash",
        "map",
        "row",
        "lookup",
        "unique",
        "composite",
        "group",
        "object",
        "field",
        "property",
        "config",
        "translation",
        "message",
        "i18n",
        "hot",
        "short",
        "public",
        "pub",
        "dict",
        "json",
        "storage",
        "index",
        "range",
        "column",
        "table",
        "sign",
        "monkey",
        "turn",
        "don",
        "registry",
        "idempotency",
        "routing",
        "dedup",
        "entry",
        "node",
        "item",
        "child",
        "parent",
        "next",
        "prev",
        "last",
        "first",
        "my",
        "the",
        "this",
        "new",
        "old",
        "default"
    };
    /** Names ending like this describe a secret (its hash, id, length, location), they do not hold one. */
    private static final String[] NOT_SECRET_SUFFIXES = {
        "url",
        "uri",
        "name",
        "id",
        "ids",
        "path",
        "file",
        "dir",
        "type",
        "hash",
        "digest",
        "checksum",
        "sum",
        "sha",
        "sha1",
        "sha256",
        "sha512",
        "md5",
        "fingerprint",
        "etag",
        "integrity",
        "version",
        "count",
        "length",
        "len",
        "size",
        "prefix",
        "suffix",
        "format",
        "pattern",
        "regex",
        "header",
        "endpoint",
        "host",
        "port",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "mode",
        "scope",
        "scopes",
        "field",
        "column",
        "param",
        "label",
        "env",
        "var",
        "index",
        "policy",
        "provider",
        "kind",
        "algorithm",
        "alg",
        "salt"
    };

    private static final String[] FILE_TLDS = {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "mjs", "ts", "css", "scss", "html", "htm",
        "json", "xml", "yaml", "yml", "md", "txt", "py", "rb", "go", "rs", "java", "kt", "php", "sh", "zip", "gz",
        "tgz", "jar", "map", "lock", "pdf", "mp4", "mp3", "wav", "woff", "woff2", "ttf", "eot", "otf", "min"
    };

    // Character classes for the main loop.
    private static final byte WORD = 1; // [A-Za-z0-9_]
    private static final byte TRIGGER = 2; // @ = : -
    private static final byte[] CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
                CLASS[c] = WORD;
            }
        }
        CLASS['@'] = TRIGGER;
        CLASS['='] = TRIGGER;
        CLASS[':'] = TRIGGER;
        CLASS['-'] = TRIGGER;
    }

    private final EnumSet<PiiType> types;
    private final double minEntropy;
    private final TreeSet<String> allowlist;

    private PiiScanner(Builder b) {
        this.types = EnumSet.copyOf(b.types);
        this.minEntropy = b.minEntropy;
        this.allowlist = new TreeSet<>(KNOWN_EXAMPLES);
        this.allowlist.addAll(b.allowlist);
    }

    /** All types, entropy threshold 3.0 bits per character. */
    public static PiiScanner create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The types this scanner reports. */
    public Set<PiiType> types() {
        return EnumSet.copyOf(types);
    }

    public double minEntropy() {
        return minEntropy;
    }

    /**
     * The spans found, sorted and non-overlapping, as UTF-16 indices into {@code text}.
     *
     * @param text any text; {@code null} is an error
     */
    public List<PiiSpan> scan(String text) {
        Scan sc = new Scan(text);
        sc.run();
        return sc.out == null ? List.of() : sc.out;
    }

    /** One scan's state (the scanner itself is immutable). */
    private final class Scan {
        final String s;
        final int n;
        List<PiiSpan> out;
        int lastEnd;
        int[] octets;

        Scan(String s) {
            this.s = s;
            this.n = s.length();
        }

        void add(PiiType type, int start, int end, String kind) {
            if (!types.contains(type) || start < lastEnd || end <= start) {
                return;
            }
            if (out == null) {
                out = new ArrayList<>(4);
            }
            out.add(new PiiSpan(type, start, end, kind));
            lastEnd = end;
        }

        void run() {
            final int n = this.n;
            final char[] a = chars(s);
            final byte[] cls = CLASS;
            int i = 0;
            while (i < n) {
                char c = a[i];
                if (c >= 128) {
                    i++;
                    continue;
                }
                byte k = cls[c];
                if (k == 0) {
                    i++;
                    continue;
                }
                if (k == WORD) {
                    if (i == 0 || !isWord(a[i - 1])) {
                        int end = wordStart(i, c);
                        if (end > i) {
                            i = end;
                            continue;
                        }
                    }
                    i++;
                    while (i < n) {
                        char d = a[i];
                        if (d >= 128 || cls[d] != WORD) {
                            break;
                        }
                        i++;
                    }
                    continue;
                }
                int end;
                switch (c) {
                    case '@':
                        end = email(i);
                        break;
                    case ':':
                        end = i + 2 < n && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/' ? url(i) : assignment(i);
                        break;
                    case '=':
                        end = assignment(i);
                        break;
                    default: // '-'
                        end = pem(i);
                        break;
                }
                i = end > i ? end : i + 1;
            }
        }

        /** Tries the detectors that start at the beginning of a word; returns the match end or -1. */
        int wordStart(int i, char c) {
            switch (c) {
                case 'A':
                    return aws(i);
                case 'S':
                    if (startsWith(i, "SG.")) {
                        return sendgrid(i);
                    }
                    if (i + 1 < n && s.charAt(i + 1) == 'K') {
                        return hexToken(i, 2, 32, "twilio-key");
                    }
                    return -1;
                case 'g':
                    if (i + 3 < n && s.charAt(i + 1) == 'h' && s.charAt(i + 3) == '_') {
                        char t = s.charAt(i + 2);
                        if (t == 'p' || t == 'o' || t == 'u' || t == 's' || t == 'r') {
                            return token(i, 4, 36, 255, false, PiiType.KEY, "github-token");
                        }
                    }
                    if (startsWith(i, "github_pat_")) {
                        return token(i, 11, 22, 255, false, PiiType.KEY, "github-token");
                    }
                    if (i + 1 < n && s.charAt(i + 1) == 'l') {
                        for (String p : GITLAB_PREFIXES) {
                            if (startsWith(i, p)) {
                                return token(i, p.length(), 20, 255, true, PiiType.KEY, "gitlab-token");
                            }
                        }
                    }
                    return -1;
                case 'x':
                    if (i + 4 < n
                            && startsWith(i, "xox")
                            && s.charAt(i + 4) == '-'
                            && "abposre".indexOf(s.charAt(i + 3)) >= 0) {
                        return token(i, 5, 10, 255, true, PiiType.KEY, "slack-token");
                    }
                    return -1;
                case 's':
                case 'r':
                case 'w':
                    if (c == 's' && startsWith(i, "sk-")) {
                        // OpenAI (sk-, sk-proj-) and Anthropic (sk-ant-) keys
                        return token(i, 3, 32, 255, true, PiiType.KEY, "openai-key");
                    }
                    if (i + 2 >= n
                            || (s.charAt(i + 1) != 'k' && s.charAt(i + 1) != 'h')
                            || s.charAt(i + 2) != '_' && s.charAt(i + 2) != 's') {
                        return -1;
                    }
                    for (String p : STRIPE_PREFIXES) {
                        if (startsWith(i, p)) {
                            return token(i, p.length(), 16, 255, false, PiiType.KEY, "stripe-key");
                        }
                    }
                    return -1;
                case 'n':
                    return startsWith(i, "npm_") ? token(i, 4, 36, 36, false, PiiType.KEY, "npm-token") : -1;
                case 'p':
                    return startsWith(i, "pypi-") ? token(i, 5, 50, 1024, true, PiiType.KEY, "pypi-token") : -1;
                case 'e':
                    return startsWith(i, "eyJ") ? jwt(i) : -1;
                case 'h':
                    return startsWith(i, "hf_") ? token(i, 3, 30, 64, false, PiiType.KEY, "huggingface-token") : -1;
                case 'k':
                    return startsWith(i, "key-") ? hexToken(i, 4, 32, "mailgun-key") : -1;
                case 'd':
                    return startsWith(i, "dop_v1_") ? hexToken(i, 7, 64, "digitalocean-token") : -1;
                case 'B':
                    return startsWith(i, "Bearer ") ? bearer(i + 7) : -1;
                default:
                    if (c >= '0' && c <= '9') {
                        return ip(i);
                    }
                    return -1;
            }
        }

        boolean startsWith(int i, String p) {
            return s.startsWith(p, i);
        }

        /** A token: fixed prefix, then ≥ min body characters of [A-Za-z0-9_] (and '-' when dash). */
        int token(int i, int prefix, int min, int max, boolean dash, PiiType type, String kind) {
            int p = i + prefix;
            while (p < n && p - i - prefix <= max) {
                char c = s.charAt(p);
                if (isWord(c) || (dash && c == '-')) {
                    p++;
                } else {
                    break;
                }
            }
            int body = p - i - prefix;
            if (body < min || body > max || !mixed(i + prefix, p)) {
                return -1;
            }
            return emitToken(i, p, type, kind);
        }

        int emitToken(int start, int end, PiiType type, String kind) {
            String v = s.substring(start, end);
            if (allowlist.contains(v) || v.contains("EXAMPLE") || placeholder(v)) {
                return end; // known example: skip it whole, report nothing
            }
            add(type, start, end, kind);
            return end;
        }

        /** A body of a real token mixes characters: not a run of one letter ({@code xxxx}). */
        boolean mixed(int from, int to) {
            char first = s.charAt(from);
            for (int j = from + 1; j < to; j++) {
                if (s.charAt(j) != first) {
                    return true;
                }
            }
            return false;
        }

        int aws(int i) {
            if (i + 1 < n && s.charAt(i + 1) == 'I' && startsWith(i, "AIza")) {
                int p = i + 4;
                while (p < n && (isWord(s.charAt(p)) || s.charAt(p) == '-') && p - i < 40) {
                    p++;
                }
                if (p - i == 39 && (p == n || !(isWord(s.charAt(p)) || s.charAt(p) == '-'))) {
                    return emitToken(i, p, PiiType.KEY, "google-api-key");
                }
                return -1;
            }
            if (i + 1 < n && s.charAt(i + 1) == 'C' && !startsWith(i, "ACCA")) {
                return hexToken(i, 2, 32, "twilio-key");
            }
            for (String p : AWS_PREFIXES) {
                if (startsWith(i, p)) {
                    int q = i + 4;
                    while (q < n && q - i < 21) {
                        char c = s.charAt(q);
                        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                            q++;
                        } else {
                            break;
                        }
                    }
                    if (q - i == 20 && (q == n || !isWord(s.charAt(q)))) {
                        int end = emitToken(i, q, PiiType.KEY, "aws-access-key");
                        awsSecretNear(end);
                        return end;
                    }
                    return -1;
                }
            }
            return -1;
        }

        /**
         * An AWS secret access key next to an access key id ({@code new BasicAWSCredentials("AKIA...",
         * "<40 chars>")}): the first run of exactly 40 {@code [A-Za-z0-9/+]} within 200 characters,
         * mixing cases and digits, with entropy ≥ 4 bits per character.
         */
        void awsSecretNear(int from) {
            int limit = Math.min(n, from + 200);
            int p = from;
            while (p < limit) {
                char c = s.charAt(p);
                if (isAlnum(c) || c == '/' || c == '+') {
                    int q = p;
                    while (q < n && (isAlnum(s.charAt(q)) || s.charAt(q) == '/' || s.charAt(q) == '+')) {
                        q++;
                    }
                    if (q - p == 40 && (q == n || s.charAt(q) != '=') && mixedCaseDigit(p, q)) {
                        String v = s.substring(p, q);
                        if (!allowlist.contains(v) && !v.contains("EXAMPLE") && entropy(v) >= 4.0) {
                            add(PiiType.KEY, p, q, "aws-secret-key");
                        }
                        return;
                    }
                    p = q;
                } else {
                    p++;
                }
            }
        }

        boolean mixedCaseDigit(int from, int to) {
            boolean up = false;
            boolean low = false;
            boolean dig = false;
            for (int j = from; j < to; j++) {
                char c = s.charAt(j);
                up |= c >= 'A' && c <= 'Z';
                low |= c >= 'a' && c <= 'z';
                dig |= c >= '0' && c <= '9';
            }
            return up && low && dig;
        }

        /** {@code Bearer <token>}: 20+ token characters with a letter, a digit and entropy ≥ 3.5. */
        int bearer(int p) {
            if (p >= n) {
                return -1;
            }
            int q = p;
            while (q < n) {
                char c = s.charAt(q);
                if (isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/') {
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
            int known = wordStart(p, s.charAt(p)); // a JWT or vendor token keeps its own kind
            if (known > p) {
                return known;
            }
            String v = s.substring(p, q);
            boolean letter = false;
            boolean digit = false;
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                letter |= Character.isLetter(c);
                digit |= c >= '0' && c <= '9';
            }
            if (!letter || !digit || placeholder(v) || allowlist.contains(v) || entropy(v) < 3.5) {
                return -1;
            }
            add(PiiType.KEY, p, q, "bearer-token");
            return q;
        }

        int hexToken(int i, int prefix, int len, String kind) {
            int p = i + prefix;
            int end = p + len;
            if (end > n) {
                return -1;
            }
            for (int q = p; q < end; q++) {
                if (Character.digit(s.charAt(q), 16) < 0 || s.charAt(q) >= 128) {
                    return -1;
                }
            }
            if (end < n && isWord(s.charAt(end))) {
                return -1;
            }
            return emitToken(i, end, PiiType.KEY, kind);
        }

        int sendgrid(int i) {
            int p = i + 3;
            int a = p;
            while (p < n && (isWord(s.charAt(p)) || s.charAt(p) == '-')) {
                p++;
            }
            if (p - a != 22 || p >= n || s.charAt(p) != '.') {
                return -1;
            }
            int b = ++p;
            while (p < n && (isWord(s.charAt(p)) || s.charAt(p) == '-')) {
                p++;
            }
            if (p - b != 43) {
                return -1;
            }
            return emitToken(i, p, PiiType.KEY, "sendgrid-key");
        }

        int jwt(int i) {
            int p = b64url(i);
            if (p - i < 10 || p >= n || s.charAt(p) != '.' || !startsWith(p + 1, "eyJ")) {
                return -1;
            }
            int q = b64url(p + 1);
            if (q - p < 10 || q >= n || s.charAt(q) != '.') {
                return -1;
            }
            int r = b64url(q + 1);
            if (r - q - 1 < 16) {
                return -1;
            }
            return emitToken(i, r, PiiType.KEY, "jwt");
        }

        int b64url(int p) {
            while (p < n && (isWord(s.charAt(p)) || s.charAt(p) == '-')) {
                p++;
            }
            return p;
        }

        int ip(int i) {
            if (i > 0) {
                char prev = s.charAt(i - 1);
                if (prev == '.' || prev == ':' || prev == '-' || prev == '/' && i > 1 && s.charAt(i - 2) == '.') {
                    return -1;
                }
            }
            // IPv6 global unicast starts with 4 hex digits 2xxx/3xxx then ':'
            char c = s.charAt(i);
            if ((c == '2' || c == '3') && i + 4 < n && s.charAt(i + 4) == ':') {
                return ipv6(i);
            }
            if (octets == null) {
                octets = new int[4];
            }
            int end = IpAddresses.parseV4(s, i, octets);
            if (end < 0) {
                return -1;
            }
            if (end < n) {
                char d = s.charAt(end);
                if (isWord(d) || (d == '.' && end + 1 < n && isWord(s.charAt(end + 1)))) {
                    return end; // part of a longer dotted run (OID, version), skip it
                }
            }
            if ((octets[0] < 32 && octets[1] < 32 && octets[2] < 32 && octets[3] < 32)
                    || (octets[0] < 10 && octets[1] < 10)) {
                return end; // 1.2.3.4, 4.10.1.2, 2.5.29.35: versions, section numbers, OIDs
            }
            if (versionContext(i)) {
                return end;
            }
            if (IpAddresses.isPublicV4(octets[0], octets[1], octets[2])) {
                add(PiiType.IP_ADDRESS, i, end, "ipv4");
            }
            return end;
        }

        boolean versionContext(int i) {
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

        int ipv6(int i) {
            int p = i;
            while (p < n && p - i < 45) {
                char c = s.charAt(p);
                if (c == ':' || c == '.' || (c < 128 && Character.digit(c, 16) >= 0)) {
                    p++;
                } else {
                    break;
                }
            }
            if (p < n && (isWord(s.charAt(p)) || s.charAt(p) == ':')) {
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
                add(PiiType.IP_ADDRESS, i, end, "ipv6");
            }
            return end;
        }

        int email(int at) {
            int j = at - 1;
            int floor = Math.max(lastEnd, at - 64);
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
                while (p < n && (isAlnum(s.charAt(p)) || s.charAt(p) == '-')) {
                    p++;
                }
                if (p == ls2 || s.charAt(ls2) == '-' || s.charAt(p - 1) == '-') {
                    break;
                }
                labels++;
                lastLabel = ls2;
                end = p;
                if (p + 1 < n && s.charAt(p) == '.' && isAlnum(s.charAt(p + 1))) {
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
                char c = s.charAt(q);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                    return -1;
                }
            }
            for (String ext : FILE_TLDS) {
                if (ext.length() == tldLen && s.regionMatches(true, lastLabel, ext, 0, tldLen)) {
                    return -1;
                }
            }
            if (end < n && (isWord(s.charAt(end)) || s.charAt(end) == '@')) {
                return -1;
            }
            add(PiiType.EMAIL, ls, end, "email");
            return end;
        }

        int url(int colon) {
            int p = colon + 3;
            int userStart = p;
            int pass = -1;
            int at = -1;
            while (p < n && p - colon < 512) {
                char c = s.charAt(p);
                if (c == '/' || c == '?' || c == '#' || c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '"'
                        || c == '\'' || c == '<' || c == '>' || c == '`' || c == '\\') {
                    break;
                }
                if (c == ':' && pass < 0 && at < 0) {
                    pass = p + 1;
                } else if (c == '@') {
                    at = p;
                }
                p++;
            }
            if (pass > userStart && at > pass) {
                String pw = s.substring(pass, at);
                if (!placeholder(pw) && !pw.startsWith("$") && !pw.startsWith("{") && !pw.startsWith("%")) {
                    add(PiiType.PASSWORD, pass, at, "url-password");
                }
                return at + 1; // the host is no email
            }
            if (s.startsWith("hooks.slack.com/services/", userStart)) {
                int a = userStart + "hooks.slack.com/services/".length();
                int q = a;
                while (q < n && (isWord(s.charAt(q)) || s.charAt(q) == '/')) {
                    q++;
                }
                if (q - a >= 20) {
                    add(PiiType.KEY, a, q, "slack-webhook");
                }
                return q;
            }
            return colon + 3;
        }

        int pem(int i) {
            if (!startsWith(i, "-----BEGIN ")) {
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
                end = n;
            } else {
                int close = s.indexOf("-----", endMarker + 9);
                end = close < 0 ? n : close + 5;
            }
            add(PiiType.KEY, i, end, "private-key");
            return end;
        }

        /** {@code name = "value"}, {@code "name": "value"}, {@code NAME=value}, {@code name := value}, {@code name => value}. */
        int assignment(int op) {
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
                if (op > 0) {
                    char prev = s.charAt(op - 1);
                    if (prev == '!'
                            || prev == '<'
                            || prev == '>'
                            || prev == '='
                            || prev == '+'
                            || prev == '*'
                            || prev == '/'
                            || prev == '%'
                            || prev == '&'
                            || prev == '|'
                            || prev == '^') {
                        return -1;
                    }
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
                if (isWord(d) || d == '-' || d == '.') {
                    j--;
                } else {
                    break;
                }
            }
            int nameStart = j + 1;
            if (nameEnd - nameStart < 3) {
                return -1;
            }
            if (!mightBeSecretName(nameStart, nameEnd)) {
                return -1;
            }
            int kind = secretName(nameStart, nameEnd);
            if (kind == 0) {
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
            // a vendor token (pypi-..., ghp_...) keeps its own detector and type
            int token = wordStart(vs, s.charAt(vs));
            if (token > vs) {
                return token;
            }
            if (kind == PASSWORD_NAME ? passwordValue(vs, ve) : keyValue(vs, ve)) {
                String v = s.substring(vs, ve);
                if (!allowlist.contains(v)) {
                    add(
                            kind == PASSWORD_NAME ? PiiType.PASSWORD : PiiType.KEY,
                            vs,
                            ve,
                            kind == PASSWORD_NAME ? "assigned-password" : "assigned-secret");
                }
                return ve;
            }
            return -1;
        }

        boolean keyValue(int vs, int ve) {
            int len = ve - vs;
            if (len < 16 || len > 1024) {
                return false;
            }
            boolean letter = false;
            boolean digit = false;
            for (int p = vs; p < ve; p++) {
                char c = s.charAt(p);
                if (c == ' ' || c == '.' || c == '$' || c == '{' || c == '<' || c == '%' || c >= 128) {
                    return false;
                }
                letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                digit |= c >= '0' && c <= '9';
            }
            if (!letter || !digit) {
                return false;
            }
            String v = s.substring(vs, ve);
            if (uuid(v) || hashPrefixed(v) || placeholder(v) || v.contains("://") || v.startsWith("/")) {
                return false;
            }
            return entropy(v) >= minEntropy;
        }

        boolean passwordValue(int vs, int ve) {
            int len = ve - vs;
            if (len < 6 || len > 128) {
                return false;
            }
            boolean nonLetter = false;
            for (int p = vs; p < ve; p++) {
                char c = s.charAt(p);
                if (c == ' ' || c == '\t') {
                    return false;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) {
                    nonLetter = true;
                }
            }
            if (!nonLetter) {
                return false;
            }
            String v = s.substring(vs, ve);
            char f = v.charAt(0);
            if (f == '$' || f == '{' || f == '<' || f == '%' || f == '@' || f == '#' || placeholder(v)) {
                return false;
            }
            return entropy(v) >= 2.0;
        }

        /** Allocation-free precheck: the name contains key, secret, token, pass, pwd or credential. */
        boolean mightBeSecretName(int a, int b) {
            for (int j = a; j < b - 2; j++) {
                char c = (char) (s.charAt(j) | 0x20);
                if ((c == 'k' && lower(j + 1) == 'e' && lower(j + 2) == 'y')
                        || (c == 's' && lower(j + 1) == 'e' && lower(j + 2) == 'c')
                        || (c == 't' && lower(j + 1) == 'o' && lower(j + 2) == 'k')
                        || (c == 'p'
                                && ((lower(j + 1) == 'a' && lower(j + 2) == 's')
                                        || (lower(j + 1) == 'w' && lower(j + 2) == 'd')))
                        || (c == 'c' && lower(j + 1) == 'r' && lower(j + 2) == 'e')) {
                    return true;
                }
            }
            return false;
        }

        private char lower(int j) {
            return (char) (s.charAt(j) | 0x20);
        }

        static final int KEY_NAME = 1;
        static final int PASSWORD_NAME = 2;

        /** Whether {@code s[a, b)} names a secret: KEY_NAME, PASSWORD_NAME or 0. */
        int secretName(int a, int b) {
            String name = s.substring(a, b).toLowerCase(Locale.ROOT);
            if (name.contains("password") || name.contains("passwd") || name.contains("passphrase")) {
                return name.endsWith("file")
                                || name.endsWith("path")
                                || name.endsWith("field")
                                || name.endsWith("label")
                                || name.endsWith("hint")
                                || name.endsWith("policy")
                                || name.endsWith("length")
                                || name.endsWith("regex")
                                || name.endsWith("prompt")
                                || name.endsWith("env")
                                || name.endsWith("name")
                                || name.endsWith("key")
                                || name.endsWith("id")
                                || name.endsWith("type")
                        ? 0
                        : PASSWORD_NAME;
            }
            String flat = name.replace("_", "").replace("-", "").replace(".", "");
            if (flat.endsWith("pwd")
                    || name.endsWith("_pass")
                    || name.endsWith("-pass")
                    || name.equals("pass")
                    || name.endsWith(".pass")) {
                return PASSWORD_NAME;
            }
            if (name.contains("tokenizer")) {
                return 0;
            }
            for (String x : NOT_SECRET_SUFFIXES) {
                if (flat.endsWith(x)) {
                    return 0; // token_hash, secret_version, api_key_id: about a secret, not one
                }
            }
            if (flat.endsWith("auth")) {
                return KEY_NAME;
            }
            if (name.contains("secret")
                    || name.contains("token")
                    || name.contains("credential")
                    || flat.contains("apikey")
                    || flat.contains("accesskey")
                    || flat.contains("privatekey")) {
                return KEY_NAME;
            }
            if (flat.endsWith("key")) {
                String before = flat.substring(0, flat.length() - 3);
                for (String x : KEY_NAME_EXCLUSIONS) {
                    if (before.endsWith(x)) {
                        return 0;
                    }
                }
                return KEY_NAME;
            }
            return 0;
        }
    }

    /** A per-thread buffer holding the text's chars: the main loop reads an array, not String.charAt. */
    private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[1 << 16]);

    static char[] chars(String s) {
        char[] buf = BUFFER.get();
        if (buf.length < s.length()) {
            buf = new char[Math.max(s.length(), buf.length * 2)];
            BUFFER.set(buf);
        }
        s.getChars(0, s.length(), buf, 0);
        return buf;
    }

    static boolean isWord(char c) {
        return c < 128 && CLASS[c] == WORD;
    }

    static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean localChar(char c) {
        return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

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
    static boolean placeholder(String v) {
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

    /** Shannon entropy of the characters of {@code v}, in bits per character. */
    static double entropy(String v) {
        int[] counts = new int[128];
        int other = 0;
        int n = v.length();
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        for (int k : counts) {
            if (k > 0) {
                double p = (double) k / n;
                h -= p * Math.log(p);
            }
        }
        if (other > 0) {
            double p = (double) other / n;
            h -= p * Math.log(p);
        }
        return h / Math.log(2);
    }

    /** Builds a {@link PiiScanner}. */
    public static final class Builder {
        private EnumSet<PiiType> types = EnumSet.allOf(PiiType.class);
        private double minEntropy = 3.0;
        private final List<String> allowlist = new ArrayList<>();

        private Builder() {}

        /** Which types to report (default: all). */
        public Builder optTypes(Collection<PiiType> types) {
            if (types == null || types.isEmpty()) {
                throw new IllegalArgumentException("need at least one PII type, got " + types);
            }
            this.types = EnumSet.copyOf(types);
            return this;
        }

        /** Minimum Shannon entropy (bits per character) of a value assigned to a secret name (default 3.0). */
        public Builder optMinEntropy(double bits) {
            if (!(bits >= 0 && bits <= 8)) {
                throw new IllegalArgumentException(
                        "entropy threshold must be in [0, 8] bits per character, got " + bits);
            }
            this.minEntropy = bits;
            return this;
        }

        /** Exact values never to report (test fixtures, documented sample keys). */
        public Builder optAllowlist(Collection<String> values) {
            for (String v : values) {
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("allowlist values must not be empty, got '" + v + "'");
                }
                allowlist.add(v);
            }
            return this;
        }

        public PiiScanner build() {
            return new PiiScanner(this);
        }
    }
}
