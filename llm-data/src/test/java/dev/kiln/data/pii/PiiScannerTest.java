package dev.kiln.data.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PiiScannerTest {

    static final PiiScanner SCANNER = PiiScanner.create();

    static boolean detected(PiiLabelledSet.Case c) {
        for (PiiSpan s : SCANNER.scan(c.text())) {
            if (s.start() < c.end() && s.end() > c.start() && s.type() == c.expected()) {
                return true;
            }
        }
        return false;
    }

    static boolean anySpan(PiiLabelledSet.Case c) {
        for (PiiSpan s : SCANNER.scan(c.text())) {
            if (s.start() < c.end() && s.end() > c.start()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void labelledSetRecallAndFalsePositives() {
        PiiLabelledSet set = new PiiLabelledSet(42, 20);
        long hits = set.positives.stream().filter(PiiScannerTest::detected).count();
        double recall = (double) hits / set.positives.size();
        long fps = set.negatives.stream().filter(PiiScannerTest::anySpan).count();
        double fpRate = (double) fps / set.negatives.size();
        assertThat(set.positives).hasSizeGreaterThan(400);
        assertThat(set.negatives).hasSizeGreaterThan(400);
        assertThat(recall)
                .as("recall %.3f by kind: %s", recall, PiiLabelledSet.describe(set.positives, PiiScannerTest::detected))
                .isGreaterThanOrEqualTo(0.95);
        assertThat(fpRate)
                .as(
                        "false positives %.3f by kind: %s",
                        fpRate, PiiLabelledSet.describe(set.negatives, PiiScannerTest::anySpan))
                .isLessThanOrEqualTo(0.05);
    }

    @Test
    void spansAreSortedAndDisjoint() {
        PiiLabelledSet set = new PiiLabelledSet(7, 5);
        List<PiiLabelledSet.Case> all = new ArrayList<>(set.positives);
        all.addAll(set.negatives);
        for (PiiLabelledSet.Case c : all) {
            int last = 0;
            for (PiiSpan s : SCANNER.scan(c.text())) {
                assertThat(s.start()).isGreaterThanOrEqualTo(last);
                assertThat(s.end()).isLessThanOrEqualTo(c.text().length());
                last = s.end();
            }
        }
    }

    @Test
    void emails() {
        assertThat(types("mail me: jane.doe+kiln@mail.example-corp.co.uk.")).containsExactly("email");
        assertThat(SCANNER.scan("x jane@corp.io, y").get(0)).isEqualTo(new PiiSpan(PiiType.EMAIL, 2, 14, "email"));
        assertThat(types("@Override public void x() {}")).isEmpty();
        assertThat(types("<img src=\"logo@2x.png\">")).isEmpty();
        assertThat(types("git@github.com:acme/kiln.git")).isEmpty();
        assertThat(types("npm i lodash@4.17.21 react@18.2.0")).isEmpty();
        assertThat(types("user@localhost")).isEmpty();
    }

    @Test
    void ipAddresses() {
        assertThat(types("host = \"52.14.201.7\"")).containsExactly("ipv4");
        assertThat(types("ping 8.8.4.4 and 142.250.74.46")).containsExactly("ipv4");
        assertThat(types("s3 endpoint 3.5.140.2 (AWS)")).containsExactly("ipv4");
        assertThat(types("host = \"9.4.210.17\"")).containsExactly("ipv4");
        assertThat(types("X509 OID 2.5.29.35 and 1.2.840.113549")).isEmpty();
        assertThat(types("10.0.0.1 192.168.0.1 172.16.5.4 127.0.0.1 169.254.169.254 0.0.0.0 255.255.255.255"))
                .isEmpty();
        assertThat(types("192.0.2.1 198.51.100.2 203.0.113.3 224.0.0.1 100.64.0.1"))
                .isEmpty();
        assertThat(types("version 12.4.1.190, v10.2.33.4, OID 1.3.6.1.4.1.311, lib-2.10.0.1, 256.1.1.1"))
                .isEmpty();
        assertThat(types("[2a00:1450:4001:82b::200e]:443")).containsExactly("ipv6");
        assertThat(types("2001:db8::1 ::1 fe80::1 fd00::1 std::vector a::b 12:30:45 00:1a:2b:3c:4d:5e"))
                .isEmpty();
    }

    @Test
    void tokens() {
        assertThat(types("String k = \"AKIA" + "Q3EGRIPSTJZ6XZ7A" + "\";")).containsExactly("aws-access-key");
        assertThat(types("key AKIAIOSFODNN7EXAMPLE")).isEmpty();
        assertThat(types("token ghp_" + "a".repeat(36))).isEmpty();
        assertThat(types("token ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5")).containsExactly("github-token");
        assertThat(types("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"))
                .isEmpty();
        assertThat(types("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbc\n-----END RSA PRIVATE KEY-----\nafter"))
                .containsExactly("private-key");
    }

    @Test
    void assignments() {
        assertThat(types("api_key = \"9f2c4e1a7b3d5f6e8a0c2e4f6a8b0d2f\"")).containsExactly("assigned-secret");
        assertThat(types("cache_key = \"9f2c4e1a7b3d5f6e8a0c2e4f6a8b0d2f\"")).isEmpty();
        assertThat(types("if (token == null) { token = next(); }")).isEmpty();
        assertThat(types("DB_PASSWORD=Tr0ub4dor&3")).containsExactly("assigned-password");
        assertThat(types("password = \"password\"")).isEmpty();
        assertThat(types("url = \"postgres://app:s3cr3tPa55@db.acme.io/app\"")).containsExactly("url-password");
        assertThat(types("url = \"postgres://app:${DB_PASSWORD}@db.acme.io/app\""))
                .isEmpty();
    }

    @Test
    void entropyIsBitsPerCharacter() {
        assertThat(PiiScanner.entropy("aaaa")).isEqualTo(0.0);
        assertThat(PiiScanner.entropy("abcd")).isEqualTo(2.0);
        assertThat(PiiScanner.entropy("0123456789abcdef")).isEqualTo(4.0);
    }

    @Test
    void typesCanBeRestricted() {
        PiiScanner onlyEmail =
                PiiScanner.builder().optTypes(List.of(PiiType.EMAIL)).build();
        assertThat(onlyEmail.scan("a@corp.io 52.14.201.7 AKIAQ3EGRIPSTJZ6XZ7A")).hasSize(1);
    }

    static List<String> types(String text) {
        return SCANNER.scan(text).stream().map(PiiSpan::kind).toList();
    }
}
