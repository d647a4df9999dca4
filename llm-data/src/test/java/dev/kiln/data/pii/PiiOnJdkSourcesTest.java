package dev.kiln.data.pii;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.testing.JdkSources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real code without planted secrets: the JDK's sources hold author emails, and nothing else to redact. */
class PiiOnJdkSourcesTest {

    @Test
    void noKeysPasswordsOrIpsInJdkSources() {
        List<Document> docs = JdkSources.sample(".java", 10, 2000);
        assertThat(docs).hasSizeGreaterThan(1000);
        PiiScanner scanner = PiiScanner.create();
        List<String> suspicious = new ArrayList<>();
        int emails = 0;
        for (Document d : docs) {
            for (PiiSpan s : scanner.scan(d.content())) {
                if (s.type() == PiiType.EMAIL) {
                    emails++;
                    // an email span is an address: local@domain
                    assertThat(d.content().substring(s.start(), s.end())).contains("@");
                } else {
                    suspicious.add(s.kind() + " in " + d.path() + ": "
                            + d.content().substring(Math.max(0, s.start() - 30), s.start()));
                }
            }
        }
        assertThat(suspicious).isEmpty();
        assertThat(emails).as("author emails in @author tags are real PII").isGreaterThan(5);
    }
}
