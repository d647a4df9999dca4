package dev.kiln.data.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentTransform;
import dev.kiln.data.Stages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PiiRedactorTest {

    static final String KEY = "AKIAQ3EGRIPSTJZ6XZ7A";

    @Test
    void placeholdersAndCodePointSpansIntoTheOriginal() {
        // an emoji (2 UTF-16 units, 1 code point) before the email shifts char and code-point offsets apart
        String text = "// 😀 owner: ana@corp.io\nString k = \"" + KEY + "\"; // from 52.14.201.7\n";
        Document doc = Document.fromSource("t", "A.java", text);
        Document out = PiiRedactor.create().apply(doc);
        assertThat(out.content()).isEqualTo("// 😀 owner: <EMAIL>\nString k = \"<KEY>\"; // from <IP_ADDRESS>\n");
        List<Map<String, Object>> spans = PiiRedactor.spans(out);
        assertThat(spans).extracting(m -> m.get("type")).containsExactly("email", "key", "ip_address");
        int[] cps = text.codePoints().toArray();
        String email = new String(
                cps,
                ((Long) spans.get(0).get("start")).intValue(),
                ((Long) spans.get(0).get("end")).intValue()
                        - ((Long) spans.get(0).get("start")).intValue());
        assertThat(email).isEqualTo("ana@corp.io");
        String key = new String(cps, ((Long) spans.get(1).get("start")).intValue(), KEY.length());
        assertThat(key).isEqualTo(KEY);
        // never the secret itself in metadata
        assertThat(out.metadata().toString()).doesNotContain(KEY).doesNotContain("ana@corp.io");
        assertThat(PiiRedactor.countByType(out)).containsEntry("email", 1L).containsEntry("key", 1L);
    }

    @Test
    void cleanDocumentsGetAnEmptySpanList() {
        Document doc = Document.fromSource("t", "A.java", "class A { int x = 1; }");
        Document out = PiiRedactor.create().apply(doc);
        assertThat(out.content()).isEqualTo(doc.content());
        assertThat(PiiRedactor.spans(out)).isEmpty();
        assertThat(out.metadata()).containsKey("pii");
    }

    @Test
    void syntheticValuesLookRealButAreNotAndAreDeterministic() {
        String text = "mail ana@corp.io ip 52.14.201.7 key " + KEY + " gh ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5\n";
        PiiRedactor r = PiiRedactor.builder()
                .optReplacement(PiiRedactor.Replacement.SYNTHETIC)
                .optSeed(3)
                .build();
        Document doc = Document.fromSource("t", "a.txt", text);
        String out = r.apply(doc).content();
        assertThat(out).doesNotContain("ana@corp.io", "52.14.201.7", KEY, "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5");
        assertThat(out).containsPattern("[a-z]+\\.[a-z]+@example\\.(com|net|org)");
        assertThat(out).containsPattern("(192\\.0\\.2|198\\.51\\.100|203\\.0\\.113)\\.\\d+");
        assertThat(out).containsPattern("AKIA[A-Z0-9]{16}");
        assertThat(out).containsPattern("ghp_[A-Za-z0-9]{36}");
        assertThat(r.apply(doc).content()).isEqualTo(out);
        // synthetic IPs come from documentation ranges: not detected again
        assertThat(PiiScanner.create().scan(out)).extracting(PiiSpan::type).doesNotContain(PiiType.IP_ADDRESS);
    }

    @Test
    void providerOptions() {
        DocumentTransform t = (DocumentTransform)
                Stages.create("pii", Map.of("types", List.of("email"), "replacement", "placeholder"));
        Document out = t.apply(Document.fromSource("t", "a.txt", "a@corp.io " + KEY));
        assertThat(out.content()).isEqualTo("<EMAIL> " + KEY);
        assertThatThrownBy(() -> Stages.create("pii", Map.of("replacement", "blur")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blur");
        assertThatThrownBy(() -> Stages.create("pii", Map.of("types", List.of("phone"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phone");
        assertThatThrownBy(() -> Stages.create("pii", Map.of("mode", "x"))).hasMessageContaining("valid options");
    }

    @Test
    void serializable() throws Exception {
        PiiRedactor r = PiiRedactor.builder()
                .optReplacement(PiiRedactor.Replacement.SYNTHETIC)
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(r);
        }
        PiiRedactor copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PiiRedactor) in.readObject();
        }
        Document d = Document.fromSource("t", "a.txt", "x ana@corp.io");
        assertThat(copy.apply(d)).isEqualTo(r.apply(d));
    }
}
