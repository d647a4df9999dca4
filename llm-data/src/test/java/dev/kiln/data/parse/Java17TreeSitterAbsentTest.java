package dev.kiln.data.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.Verdict;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** On Java 17 (users' Spark jobs) tree-sitter is absent: non-Java languages pass unchecked, Java still parses. */
@Tag("java17")
class Java17TreeSitterAbsentTest {

    @Test
    void otherLanguagesPassUncheckedOnJava17() {
        String expected = System.getProperty("kiln.expect.java");
        if (expected != null) {
            assertThat(Runtime.version().feature()).isEqualTo(Integer.parseInt(expected));
        }
        ParsableFilter parsable = ParsableFilter.create();
        assertThat(ParsableFilter.treeSitterLanguages()).isEmpty();
        Document brokenPython = Document.fromSource("t", "a.py", "def f(x:\n    return x\n");
        assertThat(parsable.check(brokenPython)).isEqualTo(ParsableFilter.Outcome.UNCHECKED);
        // kept, counted per language in the report; no re-check: only files tree-sitter rejects pay one
        assertThat(parsable.test(brokenPython)).isEqualTo(Verdict.keep("unchecked:python"));
        Document brokenJava = Document.fromSource("t", "A.java", "class A { void f() { int x = ; } }\n");
        assertThat(parsable.test(brokenJava)).isEqualTo(Verdict.drop("java"));
    }
}
