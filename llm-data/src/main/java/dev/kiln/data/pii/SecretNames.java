package dev.kiln.data.pii;

import java.util.Locale;

/**
 * Whether a variable or property name means a secret: it contains {@code secret}, {@code token},
 * {@code credential}, {@code password}, {@code passwd}, {@code passphrase}, or ends in {@code key}
 * / {@code pwd} / {@code pass} — but not {@code primary_key}, {@code sort_key}, {@code
 * public_key}, ... ({@link #KEY_NAME_EXCLUSIONS}), nor a name about a secret ({@code token_hash},
 * {@code secret_version}, {@code api_key_id}: {@link #NOT_SECRET_SUFFIXES}).
 */
final class SecretNames {

    private SecretNames() {}

    static final int NONE = 0;
    static final int KEY = 1;
    static final int PASSWORD = 2;

    /** Words before {@code key} that make it a non-secret key ({@code primary_key}, {@code cache_key}). */
    static final String[] KEY_NAME_EXCLUSIONS =
            ("primary foreign sort cache partition hash map row lookup unique composite group object field property "
                            + "config translation message i18n hot short public pub dict json storage index range column "
                            + "table sign monkey turn don registry idempotency routing dedup entry node item child parent "
                            + "next prev last first my the this new old default")
                    .split(" ");

    /** Names ending like this describe a secret (its hash, id, length, location), they do not hold one. */
    static final String[] NOT_SECRET_SUFFIXES =
            ("url uri name id ids path file dir type hash digest checksum sum sha sha1 sha256 sha512 md5 fingerprint "
                            + "etag integrity version count length len size prefix suffix format pattern regex header "
                            + "endpoint host port timeout expiry expires expiration ttl mode scope scopes field column param "
                            + "label env var index policy provider kind algorithm alg salt")
                    .split(" ");

    private static final String[] NOT_PASSWORD_SUFFIXES =
            "file path field label hint policy length regex prompt env name key id type".split(" ");

    /** Allocation-free precheck: the name contains key, secret, token, pass, pwd or credential. */
    static boolean mightBe(Scan sc, int a, int b) {
        String s = sc.s;
        for (int j = a; j < b - 2; j++) {
            char c = (char) (s.charAt(j) | 0x20);
            if ((c == 'k' && sc.lower(j + 1) == 'e' && sc.lower(j + 2) == 'y')
                    || (c == 's' && sc.lower(j + 1) == 'e' && sc.lower(j + 2) == 'c')
                    || (c == 't' && sc.lower(j + 1) == 'o' && sc.lower(j + 2) == 'k')
                    || (c == 'p'
                            && ((sc.lower(j + 1) == 'a' && sc.lower(j + 2) == 's')
                                    || (sc.lower(j + 1) == 'w' && sc.lower(j + 2) == 'd')))
                    || (c == 'c' && sc.lower(j + 1) == 'r' && sc.lower(j + 2) == 'e')) {
                return true;
            }
        }
        return false;
    }

    /** What {@code name} holds: {@link #KEY}, {@link #PASSWORD} or {@link #NONE}. */
    static int classify(String rawName) {
        String name = rawName.toLowerCase(Locale.ROOT);
        if (name.contains("password") || name.contains("passwd") || name.contains("passphrase")) {
            for (String x : NOT_PASSWORD_SUFFIXES) {
                if (name.endsWith(x)) {
                    return NONE;
                }
            }
            return PASSWORD;
        }
        String flat = name.replace("_", "").replace("-", "").replace(".", "");
        if (flat.endsWith("pwd")
                || name.endsWith("_pass")
                || name.endsWith("-pass")
                || name.equals("pass")
                || name.endsWith(".pass")) {
            return PASSWORD;
        }
        if (name.contains("tokenizer")) {
            return NONE;
        }
        for (String x : NOT_SECRET_SUFFIXES) {
            if (flat.endsWith(x)) {
                return NONE;
            }
        }
        if (flat.endsWith("auth")) {
            return KEY;
        }
        if (name.contains("secret")
                || name.contains("token")
                || name.contains("credential")
                || flat.contains("apikey")
                || flat.contains("accesskey")
                || flat.contains("privatekey")) {
            return KEY;
        }
        if (flat.endsWith("key")) {
            String before = flat.substring(0, flat.length() - 3);
            for (String x : KEY_NAME_EXCLUSIONS) {
                if (before.endsWith(x)) {
                    return NONE;
                }
            }
            return KEY;
        }
        return NONE;
    }
}
