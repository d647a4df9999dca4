package dev.kiln.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentTest {

    @Test
    void stableIdsDependOnSourceAndPathOnly() {
        Document a = Document.fromSource("repo", "src/A.java", "class A {}");
        Document b = Document.fromSource("repo", "src/A.java", "class A { int changed; }");
        Document c = Document.fromSource("other", "src/A.java", "class A {}");
        assertThat(a.id()).isEqualTo(b.id()).hasSize(32).matches("[0-9a-f]{32}");
        assertThat(a.id()).isNotEqualTo(c.id());
        // "re"+"po/x" must not collide with "rep"+"o/x": the separator matters
        assertThat(Document.stableId("re", "po/x")).isNotEqualTo(Document.stableId("rep", "o/x"));
        assertThat(a.language()).isEqualTo("java");
    }

    @Test
    void withCopiesLeaveTheOriginalUntouched() {
        Document d = Document.of("1", "x = 1");
        Document e =
                d.withContent("y = 2").withPath("a.py").withLanguage("python").withLicenses(List.of("MIT"));
        assertThat(d.content()).isEqualTo("x = 1");
        assertThat(d.path()).isEmpty();
        assertThat(d.language()).isEqualTo("unknown");
        assertThat(d.licenses()).isEmpty();
        assertThat(e).isEqualTo(new Document("1", "y = 2", "a.py", "python", List.of("MIT"), Map.of()));
    }

    @Test
    void typedMetadataConvertsNumbersAndRejectsWrongTypes() {
        Document d = Document.of("1", "").withMetadata("stars", 42).with(Document.REPOSITORY, "acme/x");
        assertThat(d.get(Document.STARS)).contains(42L);
        assertThat(d.get(Document.REPOSITORY)).contains("acme/x");
        assertThat(d.get(Document.SOURCE)).isEmpty();
        Document bad = d.withMetadata("stars", "many");
        assertThatThrownBy(() -> bad.get(Document.STARS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'stars'")
                .hasMessageContaining("many");
        assertThat(d.withMetadata("stars", null).metadata()).doesNotContainKey("stars");
    }

    @Test
    void metadataIsFrozenOrderedAndJsonShaped() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(1.5f, "s"));
        List<Object> mutable = new ArrayList<>(List.of("x"));
        m.put("list", mutable);
        Document d = Document.of("1", "").withMetadata(m);
        mutable.add("y");
        assertThat(d.metadata().keySet()).containsExactly("z", "a", "list");
        assertThat(d.metadata().get("list")).isEqualTo(List.of("x"));
        assertThat(d.metadata().get("a")).isEqualTo(List.of(1.5d, "s"));
        assertThatThrownBy(() -> d.metadata().put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Document.of("1", "").withMetadata("t", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'t'")
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void rejectsEmptyIdsAndNullContentNamingThem() {
        assertThatThrownBy(() -> Document.of("", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> Document.of("doc-7", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("doc-7");
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        String s = "aé€😀\uD800x";
        long expected = 1 + 2 + 3 + 4 + 3 + 1; // lone surrogate counted as U+FFFD (3 bytes)
        assertThat(Document.utf8Length(s)).isEqualTo(expected);
        assertThat(Document.utf8Length("plain")).isEqualTo(5);
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        Document d = Document.fromSource("s", "p.py", "print(1)")
                .withMetadata("k", Map.of("n", 1))
                .withLicenses(List.of("MIT"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(d);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(d);
        }
    }
}
