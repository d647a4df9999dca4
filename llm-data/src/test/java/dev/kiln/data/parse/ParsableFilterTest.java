package dev.kiln.data.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Stages;
import dev.kiln.data.Verdict;
import dev.kiln.data.testing.JdkSources;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParsableFilterTest {

    static final ParsableFilter PARSABLE = ParsableFilter.create();

    @Test
    void everyJdkFileOfASampleIsKept() {
        List<Document> docs = JdkSources.sample(".java", 100, 1000);
        assertThat(docs).hasSizeGreaterThan(140);
        List<String> dropped = new ArrayList<>();
        for (Document d : docs) {
            if (!PARSABLE.test(d).keep()) {
                dropped.add(d.path());
            }
        }
        assertThat(dropped).isEmpty();
    }

    @Test
    void brokenFilesAreDroppedWithTheLanguageAsReason() {
        List<Document> docs = JdkSources.sample(".java", 197, 40);
        Random rnd = new Random(11);
        int n = 0;
        for (Document d : docs) {
            String c = d.content();
            int open = c.indexOf('{', c.indexOf("class ") > 0 ? c.indexOf("class ") : 0);
            int close = c.lastIndexOf('}');
            if (open < 0 || close < 0 || d.path().endsWith("package-info.java")) {
                continue; // braces only in comments
            }
            // 1) unbalanced braces: drop the last closing brace
            Document unbalanced = d.withContent(c.substring(0, close) + c.substring(close + 1));
            assertThat(PARSABLE.test(unbalanced)).as("unbalanced " + d.path()).isEqualTo(Verdict.drop("java"));
            // 2) a syntax error inserted at a random statement end
            List<Integer> semis = new ArrayList<>();
            for (int i = open; i < close; i++) {
                if (c.charAt(i) == ';' && c.charAt(i + 1) == '\n') {
                    String line = c.substring(c.lastIndexOf('\n', i) + 1, i).trim();
                    if (!line.startsWith("*") && !line.startsWith("/") && !line.contains("//")) {
                        semis.add(i); // a statement end in code, not in a comment
                    }
                }
            }
            if (!semis.isEmpty()) {
                int at = semis.get(rnd.nextInt(semis.size()));
                Document broken = d.withContent(c.substring(0, at) + " int int = ;" + c.substring(at));
                assertThat(PARSABLE.test(broken).keep())
                        .as("syntax error in " + d.path())
                        .isFalse();
            }
            n++;
        }
        assertThat(n).isGreaterThan(25);
    }

    @Test
    void javacRescuesWhatJavaParserRejects() {
        // Preview/new syntax that javac of this release accepts; whether JavaParser does or not,
        // the file must be kept, and a JavaParser-only filter shows what the fallback is for.
        String unnamedVar = "class U { void f(java.util.List<String> l) { for (String _ : l) {} } }";
        assertThat(PARSABLE.test(Document.fromSource("t", "U.java", unnamedVar)).keep())
                .isTrue();
        String localEnum = "class L { void f() { enum Color { RED, GREEN } interface I {} record R(int x) {} } }";
        assertThat(PARSABLE.test(Document.fromSource("t", "L.java", localEnum)).keep())
                .isTrue();
        assertThat(ParsableFilter.javacError("L.java", localEnum)).isNull();
        assertThat(ParsableFilter.javacError("B.java", "class B { void f( }")).startsWith("line 1");
    }

    @Test
    void languagesWithoutAParserPassUnchecked() {
        Document hs = Document.fromSource("t", "a.hs", "main = (( print\n");
        assertThat(hs.language()).isEqualTo("haskell");
        assertThat(PARSABLE.test(hs).keep()).isTrue();
        assertThat(PARSABLE.check(hs)).isEqualTo(ParsableFilter.Outcome.UNCHECKED);
        Document java = Document.fromSource("t", "A.java", "class A {}");
        assertThat(PARSABLE.check(java)).isEqualTo(ParsableFilter.Outcome.PARSED);
        assertThat(PARSABLE.supports("java")).isTrue();
        assertThat(PARSABLE.supports("haskell")).isFalse();
    }

    @Test
    void providerAndSerialization() throws Exception {
        DocumentFilter f = (DocumentFilter) Stages.create("parsable", Map.of("java-level", "JAVA_17"));
        // records are Java 16+: JAVA_17 accepts them
        assertThat(f.test(Document.fromSource("t", "R.java", "record R(int x) {}"))
                        .keep())
                .isTrue();
        assertThatThrownBy(() -> Stages.create("parsable", Map.of("java-level", "JAVA_99")))
                .hasMessageContaining("JAVA_99");
        assertThatThrownBy(() -> Stages.create("parsable", Map.of("level", "JAVA_17")))
                .hasMessageContaining("valid options");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(PARSABLE);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            DocumentFilter copy = (DocumentFilter) in.readObject();
            assertThat(copy.test(Document.fromSource("t", "B.java", "class B {"))
                            .keep())
                    .isFalse();
        }
    }
}
