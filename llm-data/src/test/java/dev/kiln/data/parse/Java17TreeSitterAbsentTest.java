package dev.kiln.data.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    void theLanguageCheckersRunOnJava17() {
        // the re-check is in the Java 17 part of the jar: it serves tree-sitter's rejects on 23+
        assertThat(ParsableFilter.create()
                        .withRecheck(ParsableFilter.Recheck.parse("off"))
                        .recheck())
                .isEqualTo(ParsableFilter.Recheck.OFF);
        assumeTrue(LanguageRecheckTest.runs("node", "--version"), "node is not on the PATH");
        assertThat(LanguageChecker.NODE.check(LanguageRecheckTest.ASI, 10_000))
                .isEqualTo(LanguageChecker.Result.ACCEPTED);
        assertThat(LanguageChecker.NODE.check("let x = (1, 2;\n", 10_000)).isEqualTo(LanguageChecker.Result.REJECTED);
    }
}
