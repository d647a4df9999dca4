package dev.kiln.data.pii;

import dev.kiln.core.Document;
import dev.kiln.data.testing.JdkSources;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

/**
 * A labelled PII test set: secrets (positives) and look-alikes (negatives) generated from a seed
 * and inserted at random line starts of real Java files from the JDK's src.zip.
 */
final class PiiLabelledSet {

    /** One case: the text, where the planted value is, its expected type (null for a negative). */
    record Case(String kind, String text, int start, int end, PiiType expected) {}

    private static final String B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String B64 = B62 + "+/";
    private static final String HEX = "0123456789abcdef";
    private static final String UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final Random rnd;
    private final List<Document> hosts;
    final List<Case> positives = new ArrayList<>();
    final List<Case> negatives = new ArrayList<>();

    PiiLabelledSet(long seed, int perKind) {
        this.rnd = new Random(seed);
        this.hosts = JdkSources.sample(".java", 97, 60);
        for (int i = 0; i < perKind; i++) {
            positives();
            negatives();
        }
    }

    String rand(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** A snippet "before{secret}after" planted in a host file. */
    void plant(List<Case> into, String kind, PiiType type, String before, String secret, String after) {
        String host = hosts.get(rnd.nextInt(hosts.size())).content();
        // insert at the start of a random line
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        int at = starts.isEmpty() ? 0 : starts.get(rnd.nextInt(starts.size()));
        String snippet = before + secret + after + "\n";
        String text = host.substring(0, at) + snippet + host.substring(at);
        int s = at + before.length();
        into.add(new Case(kind, text, s, s + secret.length(), type));
    }

    void pos(String kind, PiiType type, String before, String secret, String after) {
        plant(positives, kind, type, before, secret, after);
    }

    void neg(String kind, String before, String value, String after) {
        plant(negatives, kind, null, before, value, after);
    }

    /** A (before, after) context pair. */
    String[] ctx(String... pairs) {
        int k = rnd.nextInt(pairs.length / 2);
        return new String[] {pairs[2 * k], pairs[2 * k + 1]};
    }

    void pos(String kind, PiiType type, String[] ctx, String secret) {
        pos(kind, type, ctx[0], secret, ctx[1]);
    }

    void neg(String kind, String[] ctx, String value) {
        neg(kind, ctx[0], value, ctx[1]);
    }

    String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    String publicIpv4() {
        while (true) {
            int a = 11 + rnd.nextInt(212);
            int b = rnd.nextInt(256);
            int c = rnd.nextInt(256);
            if (IpAddresses.isPublicV4(a, b, c) && a != 100 && a != 127 && a != 169 && a != 172 && a != 192) {
                return a + "." + b + "." + c + "." + (1 + rnd.nextInt(254));
            }
        }
    }

    String pem() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(pick("RSA", "EC"));
            if (g.getAlgorithm().equals("RSA")) {
                g.initialize(1024);
            }
            byte[] der = g.generateKeyPair().getPrivate().getEncoded();
            String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
            return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String b64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes());
    }

    void positives() {
        String name = pick("john.smith", "maria_garcia", "li.wei", "a.kowalski", "dev-ops", "s.tanaka+ci");
        String dom = pick("gmail.com", "acme-corp.io", "mail.uni-heidelberg.de", "company.co.uk", "outlook.com");
        String email = name + "@" + dom;
        switch (rnd.nextInt(3)) {
            case 0 -> pos("email", PiiType.EMAIL, " * @author Jane Doe <", email, ">");
            case 1 -> pos("email", PiiType.EMAIL, "    String admin = \"", email, "\";");
            default -> pos("email", PiiType.EMAIL, "// contact ", email, " for access");
        }
        String ip = publicIpv4();
        pos("ipv4", PiiType.IP_ADDRESS, pick("    String host = \"", "// server at ", "    connect(\""), ip, "\");");
        String v6 = pick("2a00", "2607", "2a03", "2804", "2406") + ":" + Integer.toHexString(rnd.nextInt(0xffff)) + ":"
                + Integer.toHexString(rnd.nextInt(0xffff)) + "::" + Integer.toHexString(1 + rnd.nextInt(0xfffe));
        pos("ipv6", PiiType.IP_ADDRESS, "    InetAddress.getByName(\"", v6, "\");");
        String akia = pick("AKIA", "ASIA") + rand(UPPER_DIGITS, 16);
        pos(
                "aws-access-key",
                PiiType.KEY,
                ctx("    new BasicAWSCredentials(\"", "\", secret);", "// aws key ", "", "aws.accessKeyId=", ""),
                akia);
        String awsSecret = rand(B64, 40);
        pos(
                "aws-secret-key",
                PiiType.KEY,
                ctx(
                        "aws_secret_access_key = ",
                        "",
                        "    private static final String AWS_SECRET_KEY = \"",
                        "\";",
                        "AWS_SECRET_ACCESS_KEY=",
                        "",
                        "    \"secretAccessKey\": \"",
                        "\","),
                awsSecret);
        String awsPair = rand(B64, 40);
        pos(
                "aws-secret-key-pair",
                PiiType.KEY,
                "    new BasicAWSCredentials(\"AKIA" + rand(UPPER_DIGITS, 16) + "\", \"",
                awsPair,
                "\");");
        String openai = rnd.nextBoolean()
                ? "sk-" + rand(B62, 20) + "T3BlbkFJ" + rand(B62, 20)
                : "sk-proj-" + rand(B62 + "-_", 74) + "T3BlbkFJ" + rand(B62 + "-_", 74);
        pos("openai-key", PiiType.KEY, ctx("    client = OpenAI(api_key=\"", "\")", "OPENAI_API_KEY=", ""), openai);
        String anthropic = "sk-ant-api03-" + rand(B62 + "-_", 93) + "AA";
        pos("anthropic-key", PiiType.KEY, ctx("    Anthropic(api_key=\"", "\")", "ANTHROPIC_API_KEY=", ""), anthropic);
        String hf = "hf_" + rand(B62.substring(0, 52), 34);
        pos("huggingface-token", PiiType.KEY, ctx("    login(token=\"", "\")", "HF_TOKEN=", ""), hf);
        String bearer = rand(B62 + "-_", 32 + rnd.nextInt(32));
        pos("bearer-token", PiiType.KEY, "    req.header(\"Authorization\", \"Bearer ", bearer, "\");");
        String gh = pick("ghp_", "gho_", "ghu_", "ghs_", "ghr_") + rand(B62, 36);
        pos(
                "github-token",
                PiiType.KEY,
                ctx("    String auth = \"token ", "\";", "GITHUB_TOKEN=", "", "// ", " (ci)"),
                gh);
        String pat = "github_pat_" + rand(B62, 22) + "_" + rand(B62, 59);
        pos("github-pat", PiiType.KEY, "    headers.put(\"Authorization\", \"Bearer ", pat, "\");");
        String gl = "glpat-" + rand(B62 + "-_", 20);
        pos(
                "gitlab-token",
                PiiType.KEY,
                ctx("    conn.setRequestProperty(\"PRIVATE-TOKEN\", \"", "\");", "CI_TOKEN: ", ""),
                gl);
        String slack = rnd.nextBoolean()
                ? "xoxb-" + (1000000000L + rnd.nextInt(999999999)) + "-" + (1000000000L + rnd.nextInt(999999999)) + "-"
                        + rand(B62, 24)
                : "xoxp-" + (1000000000L + rnd.nextInt(999999999)) + "-" + (1000000000L + rnd.nextInt(999999999)) + "-"
                        + (1000000000L + rnd.nextInt(999999999)) + "-" + rand(HEX, 32);
        pos("slack-token", PiiType.KEY, "    slack.token(\"", slack, "\");");
        String hook = "T" + rand(UPPER_DIGITS, 8) + "/B" + rand(UPPER_DIGITS, 8) + "/" + rand(B62, 24);
        pos(
                "slack-webhook",
                PiiType.KEY,
                "    URI hook = URI.create(\"https://hooks.slack.com/services/",
                hook,
                "\");");
        String stripe = pick("sk_live_", "rk_live_", "sk_test_") + rand(B62, 24 + rnd.nextInt(76));
        pos("stripe-key", PiiType.KEY, ctx("    Stripe.apiKey = \"", "\";", "STRIPE_SECRET=", ""), stripe);
        String google = "AIza" + rand(B62 + "-_", 35);
        pos(
                "google-api-key",
                PiiType.KEY,
                ctx("    String url = BASE + \"?key=", "\";", "  <string name=\"maps_key\">", "</string>"),
                google);
        String twilio = "SK" + rand(HEX, 32);
        pos("twilio-key", PiiType.KEY, "    Twilio.init(\"", twilio, "\", token);");
        String twilioToken = rand(HEX, 32);
        pos(
                "twilio-auth-token",
                PiiType.KEY,
                ctx("    String authToken = \"", "\";", "TWILIO_AUTH_TOKEN=", ""),
                twilioToken);
        String sg = "SG." + rand(B62 + "-_", 22) + "." + rand(B62 + "-_", 43);
        pos("sendgrid-key", PiiType.KEY, "    SendGrid sg = new SendGrid(\"", sg, "\");");
        String npm = "npm_" + rand(B62, 36);
        pos("npm-token", PiiType.KEY, "//registry.npmjs.org/:_authToken=", npm, "");
        String pypi = "pypi-AgEIcHlwaS5vcmc" + rand(B62 + "-_", 60 + rnd.nextInt(100));
        pos("pypi-token", PiiType.KEY, ctx("password = ", "", "    TWINE_PASSWORD: ", ""), pypi);
        String jwt = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "."
                + b64url("{\"sub\":\"" + rnd.nextInt(1_000_000) + "\",\"name\":\"" + name + "\",\"iat\":"
                        + (1_600_000_000 + rnd.nextInt(100_000_000)) + "}")
                + "." + rand(B62 + "-_", 43);
        pos("jwt", PiiType.KEY, ctx("    String bearer = \"", "\";", "// Authorization: Bearer ", ""), jwt);
        pos("private-key", PiiType.KEY, "    static final String KEY = \"\"\"\n", pem(), "\n\"\"\";");
        String pw = rand(B62 + "!*_-", 8 + rnd.nextInt(12));
        pos(
                "url-password",
                PiiType.PASSWORD,
                pick(
                        "    String url = \"jdbc:postgresql://admin:",
                        "spring.datasource.url=mysql://root:",
                        "    redis.connect(\"redis://default:"),
                pw,
                "@db-" + rnd.nextInt(99) + ".internal.acme.io:5432/app\";");
        String generic = rand(pick(B62, HEX, B64), 24 + rnd.nextInt(24));
        pos(
                "assigned-secret",
                PiiType.KEY,
                ctx(
                        "    api_key = \"",
                        "\"",
                        "    private String clientSecret = \"",
                        "\";",
                        "  \"access_token\": \"",
                        "\",",
                        "    final String apiKey = \"",
                        "\";",
                        "secret_key: \"",
                        "\"",
                        "ENCRYPTION_KEY='",
                        "'"),
                generic);
        String dbpw = rand(B62 + "!@%^&*", 10 + rnd.nextInt(10));
        pos(
                "assigned-password",
                PiiType.PASSWORD,
                ctx(
                        "    String password = \"",
                        "\";",
                        "DB_PASSWORD=",
                        "",
                        "  password: \"",
                        "\"",
                        "    $db_pass = '",
                        "';"),
                dbpw);
    }

    void negatives() {
        byte[] bytes = new byte[64];
        rnd.nextBytes(bytes);
        String sha256 = hex(bytes, 32);
        String sha1 = hex(bytes, 20);
        String md5 = hex(bytes, 16);
        neg(
                "sha256",
                ctx(
                        "    checksum = \"",
                        "\"",
                        "    private static final String SHA256 = \"",
                        "\";",
                        "  \"sha\": \"",
                        "\","),
                sha256);
        neg(
                "hash-named-token",
                ctx(
                        "    token_hash = \"",
                        "\"",
                        "    String secretChecksum = \"",
                        "\";",
                        "  \"api_key_sha256\": \"",
                        "\","),
                sha256);
        neg("md5", "    expected.put(\"file.bin\", \"", md5, "\");");
        neg("cargo-lock-checksum", "checksum = \"", sha256, "\"");
        neg(
                "git-sha-lock",
                ctx(
                        "  revision: ",
                        "",
                        "    \"resolved\": \"git+ssh://git@github.com/acme/lib.git#",
                        "\",",
                        "  \"rev\": \"",
                        "\","),
                sha1);
        neg(
                "npm-integrity",
                "      \"integrity\": \"",
                "sha512-" + Base64.getEncoder().encodeToString(bytes),
                "\",");
        neg("poetry-hash", "    {file = \"pkg-1.0.tar.gz\", hash = \"", "sha256:" + sha256, "\"},");
        neg(
                "go-sum",
                "github.com/acme/lib v1.2.3 ",
                "h1:" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, 32)),
                "");
        String uuid = UUID.nameUUIDFromBytes(bytes).toString();
        neg(
                "uuid",
                ctx(
                        "    UUID id = UUID.fromString(\"",
                        "\");",
                        "    \"requestToken\": \"",
                        "\",",
                        "  id: \"",
                        "\"",
                        "    String sessionKey = \"",
                        "\";"),
                uuid);
        byte[] png = new byte[300 + rnd.nextInt(600)];
        rnd.nextBytes(png);
        png[0] = (byte) 0x89;
        png[1] = 'P';
        png[2] = 'N';
        png[3] = 'G';
        neg(
                "base64-image",
                "    img.src = \"",
                "data:image/png;base64," + Base64.getEncoder().encodeToString(png),
                "\";");
        neg(
                "version",
                ctx(
                        "    String version = \"",
                        "\";",
                        "  <version>",
                        "</version>",
                        "Bundle-Version: ",
                        "",
                        "// since v",
                        "",
                        "    VERSION = \"",
                        "\";",
                        "    assemblyVersion(\"",
                        "\")"),
                (2 + rnd.nextInt(30)) + "." + rnd.nextInt(40) + "." + rnd.nextInt(300) + "." + rnd.nextInt(9999));
        neg(
                "single-digit-version",
                "    // requires ",
                rnd.nextInt(10) + "." + rnd.nextInt(10) + "." + rnd.nextInt(10) + "." + rnd.nextInt(10),
                " or later");
        neg(
                "section-number",
                ctx(
                        "     * @jls ",
                        " Normal Canonical Constructors",
                        " * See section ",
                        " of RFC 5280.",
                        "    byte[] ext = cert.getExtensionValue(\"",
                        "\");"),
                (1 + rnd.nextInt(9)) + "." + rnd.nextInt(30) + "." + rnd.nextInt(30) + "." + (1 + rnd.nextInt(20)));
        neg(
                "oid",
                "    static final String OID = \"",
                "1.3.6.1.4.1." + rnd.nextInt(60000) + "." + rnd.nextInt(100),
                "\";");
        neg(
                "maven-coords",
                "    implementation 'com.acme:lib:",
                (1 + rnd.nextInt(20)) + "." + rnd.nextInt(20) + "." + rnd.nextInt(20) + "." + rnd.nextInt(20),
                "'");
        neg(
                "private-ip",
                ctx("    String host = \"", "\";", "// ", "", "bind=", ""),
                pick(
                        "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256),
                        "192.168." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254)),
                        "172." + (16 + rnd.nextInt(16)) + "." + rnd.nextInt(256) + ".1",
                        "127.0.0.1",
                        "169.254.169.254",
                        "192.0.2." + (1 + rnd.nextInt(254)),
                        "198.51.100.7",
                        "203.0.113.42",
                        "0.0.0.0",
                        "255.255.255.0",
                        "224.0.0.251"));
        neg(
                "private-ipv6",
                "    InetAddress.getByName(\"",
                pick(
                        "::1",
                        "fe80::1ff:fe23:4567:890a",
                        "2001:db8::" + Integer.toHexString(rnd.nextInt(0xffff)),
                        "fd12:3456:789a:1::1",
                        "::",
                        "ff02::1"),
                "\");");
        neg(
                "example-aws",
                pick("aws_access_key_id = ", "    String key = \"", "AWS_ACCESS_KEY_ID="),
                pick("AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"),
                "");
        neg("example-aws-secret", "aws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "");
        neg("example-stripe", "    Stripe.apiKey = \"", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "\";");
        neg(
                "example-jwt",
                "// e.g. ",
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                "");
        neg(
                "placeholder",
                ctx("    api_key = \"", "\"", "GITHUB_TOKEN=", "", "    password: \"", "\"", "SECRET_KEY=", ""),
                pick(
                        "your-api-key-here",
                        "${API_KEY}",
                        "<your token>",
                        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "changeme",
                        "{{ secret }}",
                        "%(password)s",
                        "********"));
        neg(
                "property-name",
                pick(
                        "    private static final String PASSWORD_KEY = \"",
                        "    static final String TOKEN_HEADER = \"",
                        "    String secretName = \""),
                pick("javax.net.ssl.keyStorePassword", "X-Auth-Token", "db-credentials-prod"),
                "\";");
        neg(
                "code-not-value",
                "    String password = ",
                pick(
                        "readPassword(console)",
                        "new String(chars)",
                        "props.getProperty(\"db.password\")",
                        "System.getenv(\"DB_PASSWORD\")"),
                ";");
        String[] el = ctx(
                "icon@2x.png",
                "    icon = \"",
                "lodash@4.17.21",
                "    \"lodash\": \"",
                "git@github.com:acme/lib.git",
                "    git clone ",
                "Override",
                "    @");
        neg("email-like", el[1], el[0], "");
        neg("hex-constant", "    static final long SEED = 0x", rand(HEX, 16), "L;");
        neg(
                "public-key",
                "    String sshPub = \"ssh-ed25519 ",
                "AAAAC3NzaC1lZDI1NTE5AAAAI" + rand(B64, 43),
                " deploy\";");
    }

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            sb.append(HEX.charAt((b[i] >> 4) & 0xF)).append(HEX.charAt(b[i] & 0xF));
        }
        return sb.toString();
    }

    /** Kinds with their recall, for messages. */
    static String describe(List<Case> cases, Function<Case, Boolean> hit) {
        java.util.Map<String, int[]> m = new java.util.TreeMap<>();
        for (Case c : cases) {
            int[] v = m.computeIfAbsent(c.kind(), k -> new int[2]);
            v[1]++;
            if (hit.apply(c)) {
                v[0]++;
            }
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) ->
                sb.append(k).append('=').append(v[0]).append('/').append(v[1]).append(' '));
        return sb.toString();
    }
}
