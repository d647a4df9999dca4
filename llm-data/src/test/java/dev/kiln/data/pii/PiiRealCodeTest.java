package dev.kiln.data.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Precision on real code and recall on real-shaped secrets.
 *
 * <p>Negatives: ~20,000 long identifiers (16+ characters) harvested from the JDK's src.zip, CPython's
 * standard library and an npm node_modules tree by {@code harvest-identifiers.py} (test resource
 * {@code identifiers.txt.gz}; rerun the script to refresh it). Each is scanned alone, in a line of
 * code, and glued to vendor prefixes as it is and in snake/kebab case ({@code hf_} + {@code
 * request_value_token_options_token}, {@code sk-} + {@code estimator-fitted-container}): the shape
 * of the false positives that once rewrote code.
 *
 * <p>Positives: every vendor of {@code key-rules.tsv}, generated here from the vendor's published
 * format with random bodies (written independently of the rule file), in lines of code.
 */
class PiiRealCodeTest {

    static final PiiScanner SCANNER = PiiScanner.create();
    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String DIGITS = "0123456789";
    static final String B62 = UPPER + LOWER + DIGITS;
    static final String B64URL = B62 + "-_";
    static final String HEX = "0123456789abcdef";
    static final String BASE32 = UPPER + "234567";
    static final String BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

    static List<String> identifiers;

    @BeforeAll
    static void load() throws IOException {
        identifiers = new ArrayList<>();
        try (InputStream in = PiiRealCodeTest.class.getResourceAsStream("identifiers.txt.gz");
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                identifiers.add(line.substring(line.indexOf('\t') + 1));
            }
        }
    }

    static boolean secretIn(String text, int start, int end) {
        for (PiiSpan s : SCANNER.scan(text)) {
            if ((s.type() == PiiType.KEY || s.type() == PiiType.PASSWORD) && s.start() < end && s.end() > start) {
                return true;
            }
        }
        return false;
    }

    @Test
    void longIdentifiersFromRealCodeAreNeverSecrets() {
        assertThat(identifiers).hasSizeGreaterThan(15_000);
        List<String> prefixes = new ArrayList<>(
                new TreeSet<>(KeyRules.DEFAULT.rules.stream().map(r -> r.prefix).toList()));
        prefixes.add("sk-"); // the prefix OpenAI and Anthropic share
        int cases = 0;
        List<String> fps = new ArrayList<>();
        int k = 0;
        for (String id : identifiers) {
            String[] forms = {
                id, snake(id), kebab(id), id.toUpperCase(Locale.ROOT).replace('-', '_')
            };
            List<String> texts = new ArrayList<>();
            texts.add(id);
            texts.add("    value = \"" + id + "\";");
            for (int j = 0; j < 6; j++) {
                String prefix = prefixes.get(k++ % prefixes.size());
                texts.add(prefix + forms[j % forms.length]);
            }
            for (String t : texts) {
                cases++;
                if (secretIn(t, 0, t.length())) {
                    fps.add(t);
                }
            }
        }
        double rate = (double) fps.size() / cases;
        System.out.printf(
                "PII on real identifiers: %d false positives of %d cases (%.4f%%)%n", fps.size(), cases, 100 * rate);
        assertThat(rate)
                .as("false positives %d of %d (%.4f%%): %s", fps.size(), cases, 100 * rate, head(fps))
                .isLessThanOrEqualTo(0.001);
    }

    @Test
    void identifiersAssignedToSecretNamesPassTheGenericGateRarely() {
        int fps = 0;
        List<String> shown = new ArrayList<>();
        for (String id : identifiers) {
            String t = "    api_key = \"" + id + "\";";
            if (secretIn(t, 0, t.length())) {
                fps++;
                shown.add(id);
            }
        }
        double rate = (double) fps / identifiers.size();
        System.out.printf(
                "PII generic gate on real identifiers: %d of %d (%.4f%%)%n", fps, identifiers.size(), 100 * rate);
        assertThat(rate)
                .as("identifiers taken for generic secrets %d of %d: %s", fps, identifiers.size(), head(shown))
                .isLessThanOrEqualTo(0.001);
    }

    @Test
    void theIdentifiersThatWereRewrittenAreLeftAlone() {
        for (String t : List.of(
                "hf_request_value_token_options_token",
                "sk-estimator-fitted-container-dashed-wrapper",
                "ghp_requestValueTokenOptionsTokenAbcdef",
                "AKIAPROVIDERCONSTANTS",
                "xoxb-update-message-handler-for-channel",
                "npm_config_cache_folder_location_test",
                "glpat-read-repository-scope-token")) {
            assertThat(SCANNER.scan("x = " + t + ";")).as(t).isEmpty();
        }
    }

    @Test
    void realShapedSecretsOfEveryVendorAreFound() {
        Random rnd = new Random(2026);
        Map<String, List<Supplier<String>>> gens = generators(rnd);
        TreeSet<String> ruleKinds = new TreeSet<>();
        KeyRules.DEFAULT.rules.forEach(r -> ruleKinds.add(r.kind));
        assertThat(gens.keySet()).as("a generator per vendor of key-rules.tsv").containsAll(ruleKinds);
        String[][] contexts = {
            {"    token = \"", "\";"},
            {"API_KEY=", ""},
            {"  \"key\": \"", "\","},
            {"// ", " (rotated)"},
            {"    headers.put(\"Authorization\", \"Bearer ", "\");"},
            {"client.connect('", "')"}
        };
        Map<String, int[]> byKind = new TreeMap<>();
        int hits = 0;
        int total = 0;
        for (var e : gens.entrySet()) {
            for (Supplier<String> g : e.getValue()) {
                for (int i = 0; i < 200; i++) {
                    String secret = g.get();
                    String[] c = contexts[rnd.nextInt(contexts.length)];
                    String text = "int a = 1;\n" + c[0] + secret + c[1] + "\nreturn a;\n";
                    int start = 11 + c[0].length();
                    boolean hit = false;
                    for (PiiSpan s : SCANNER.scan(text)) {
                        hit |= s.type() == PiiType.KEY && s.start() <= start && s.end() >= start + secret.length();
                    }
                    int[] v = byKind.computeIfAbsent(e.getKey(), x -> new int[2]);
                    v[1]++;
                    total++;
                    if (hit) {
                        v[0]++;
                        hits++;
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        byKind.forEach((kind, v) -> sb.append(kind)
                .append(' ')
                .append(v[0])
                .append('/')
                .append(v[1])
                .append(' '));
        double recall = (double) hits / total;
        System.out.printf("PII recall on real-shaped secrets: %.4f (%d of %d): %s%n", recall, hits, total, sb);
        assertThat(recall).as("recall %.4f: %s", recall, sb).isGreaterThanOrEqualTo(0.95);
        byKind.forEach((kind, v) ->
                assertThat((double) v[0] / v[1]).as("%s: %s", kind, sb).isGreaterThanOrEqualTo(0.9));
    }

    /** Tokens by each vendor's published format, bodies uniformly random over the published alphabet. */
    static Map<String, List<Supplier<String>>> generators(Random rnd) {
        Map<String, List<Supplier<String>>> g = new LinkedHashMap<>();
        for (String p :
                List.of("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA")) {
            add(g, "aws-access-key", () -> p + rand(rnd, BASE32, 16));
        }
        for (String p : List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_")) {
            add(g, "github-token", () -> p + rand(rnd, B62, 36));
        }
        add(g, "github-token", () -> "github_pat_" + rand(rnd, B62, 22) + "_" + rand(rnd, B62, 59));
        for (String p : List.of("glpat-", "gldt-", "glrt-", "glsoat-")) {
            add(g, "gitlab-token", () -> p + rand(rnd, B64URL, 20));
        }
        add(g, "gitlab-token", () -> "glptt-" + rand(rnd, HEX, 40));
        add(g, "gitlab-token", () -> "gloas-" + rand(rnd, HEX, 64));
        add(
                g,
                "slack-token",
                () -> "xoxb-" + rand(rnd, DIGITS, 12) + "-" + rand(rnd, DIGITS, 13) + "-" + rand(rnd, B62, 24));
        add(
                g,
                "slack-token",
                () -> "xoxp-" + rand(rnd, DIGITS, 12) + "-" + rand(rnd, DIGITS, 12) + "-" + rand(rnd, DIGITS, 13) + "-"
                        + rand(rnd, HEX, 32));
        add(g, "slack-token", () -> "xoxe.xoxp-1-" + rand(rnd, B62, 150));
        add(
                g,
                "slack-token",
                () -> "xapp-1-A" + rand(rnd, UPPER + DIGITS, 10) + "-" + rand(rnd, DIGITS, 13) + "-"
                        + rand(rnd, HEX, 64));
        for (String p : List.of("sk_live_", "sk_test_", "rk_live_", "rk_test_")) {
            add(g, "stripe-key", () -> p + rand(rnd, B62, rnd.nextBoolean() ? 24 : 99));
        }
        add(g, "stripe-key", () -> "whsec_" + rand(rnd, B62, 32));
        add(g, "google-api-key", () -> "AIza" + rand(rnd, B64URL, 35));
        add(g, "twilio-key", () -> "SK" + rand(rnd, HEX, 32));
        add(g, "sendgrid-key", () -> "SG." + rand(rnd, B64URL, 22) + "." + rand(rnd, B64URL, 43));
        add(g, "npm-token", () -> "npm_" + rand(rnd, B62, 36));
        add(g, "pypi-token", () -> "pypi-AgEIcHlwaS5vcmc" + rand(rnd, B64URL, 60 + rnd.nextInt(120)));
        add(g, "openai-key", () -> "sk-" + rand(rnd, B62, 20) + "T3BlbkFJ" + rand(rnd, B62, 20));
        for (String p : List.of("sk-proj-", "sk-svcacct-", "sk-admin-")) {
            add(g, "openai-key", () -> p + rand(rnd, B64URL, 74) + "T3BlbkFJ" + rand(rnd, B64URL, 74));
        }
        add(g, "anthropic-key", () -> "sk-ant-api03-" + rand(rnd, B64URL, 93) + "AA");
        add(g, "anthropic-key", () -> "sk-ant-admin01-" + rand(rnd, B64URL, 93) + "AA");
        add(g, "huggingface-token", () -> "hf_" + rand(rnd, UPPER + LOWER, 34));
        add(g, "huggingface-token", () -> "api_org_" + rand(rnd, UPPER + LOWER, 34));
        add(g, "mailgun-key", () -> "key-" + rand(rnd, HEX, 32));
        for (String p : List.of("dop_v1_", "doo_v1_", "dor_v1_")) {
            add(g, "digitalocean-token", () -> p + rand(rnd, HEX, 64));
        }
        for (String p : List.of("shpat_", "shpca_", "shppa_", "shpss_")) {
            add(g, "shopify-token", () -> p + rand(rnd, HEX, 32));
        }
        add(g, "databricks-token", () -> "dapi" + rand(rnd, HEX, 32));
        add(g, "postman-key", () -> "PMAK-" + rand(rnd, HEX, 24) + "-" + rand(rnd, HEX, 34));
        add(g, "linear-key", () -> "lin_api_" + rand(rnd, B62, 40));
        add(g, "doppler-token", () -> "dp.pt." + rand(rnd, B62, 43));
        add(g, "age-secret-key", () -> "AGE-SECRET-KEY-1" + rand(rnd, BECH32, 58));
        return g;
    }

    static void add(Map<String, List<Supplier<String>>> g, String kind, Supplier<String> s) {
        g.computeIfAbsent(kind, k -> new ArrayList<>()).add(s);
    }

    static String rand(Random rnd, String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static String snake(String id) {
        return id.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('-', '_').toLowerCase(Locale.ROOT);
    }

    static String kebab(String id) {
        return snake(id).replace('_', '-');
    }

    static List<String> head(List<String> l) {
        return l.subList(0, Math.min(20, l.size()));
    }
}
