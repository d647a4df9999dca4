package dev.kiln.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HumanEval-X test programs are assembled byte for byte as the reference harness does. The golden
 * file holds, for every problem of C++, Go, JavaScript and Rust, the SHA-256 of the program that
 * THUDM/CodeGeeX's own {@code process_humaneval_test} builds for the canonical solution and for
 * the canonical solution plus a comment naming helper packages ({@code strings. fmt. sort. time.
 * md5.}, which drives the reference's Go import rule).
 */
class HumanEvalXProgramsTest {

    static final String HELPERS = "\n// strings. fmt. sort. time. md5.\n";

    @Test
    void programsMatchTheReferenceHarnessForAll656Problems() throws Exception {
        List<String> mismatched = new ArrayList<>();
        int checked = 0;
        try (InputStream in = getClass().getResourceAsStream("/dev/kiln/eval/humaneval-x-programs.sha256")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                EvalLanguage lang = EvalLanguage.parse(f[0].substring(0, f[0].indexOf('/')));
                Problem p = HumanEval.of(lang).get(f[0]);
                String completion = p.canonicalSolution() + (f[1].equals("uses-helpers") ? HELPERS : "");
                String sha = HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(p.program(completion).getBytes(StandardCharsets.UTF_8)));
                if (!sha.equals(f[2])) {
                    mismatched.add(f[0] + " " + f[1]);
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4 * 164 * 2);
        assertThat(mismatched).isEmpty();
    }

    /**
     * The structural stop of generation: fed the prompt and then the canonical solution, the brace
     * tracker closes the function exactly at the solution's last brace.
     */
    @ParameterizedTest
    @EnumSource(names = {"CPP", "JAVASCRIPT", "JAVA"})
    void bracesOfEveryCanonicalSolutionCloseAtItsLastBrace(EvalLanguage l) {
        List<String> wrong = new ArrayList<>();
        for (Problem p : HumanEval.of(l).problems()) {
            assertThat(p.stopsOnClosedBraces()).isTrue();
            BraceTracker t = new BraceTracker();
            t.feed(p.prompt());
            String c = p.canonicalSolution();
            int end = t.feedUntilClosed(c);
            if (end != c.lastIndexOf('}') + 1) {
                wrong.add(p.taskId() + " closed at " + end + " of " + c.length());
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** Go and Rust solutions may define helpers after the function, so they end at stop sequences only. */
    @Test
    void goAndRustDoNotStopOnBracesBecauseHelpersFollow() {
        int helpersAfter = 0;
        for (EvalLanguage l : List.of(EvalLanguage.GO, EvalLanguage.RUST)) {
            for (Problem p : HumanEval.of(l).problems()) {
                assertThat(p.stopsOnClosedBraces()).isFalse();
                BraceTracker t = new BraceTracker();
                t.feed(
                        l == EvalLanguage.GO
                                ? p.prompt()
                                : p.prompt().substring(p.prompt().indexOf("fn ")));
                if (t.feedUntilClosed(p.canonicalSolution())
                        < p.canonicalSolution().lastIndexOf('}') + 1) {
                    helpersAfter++;
                }
            }
        }
        assertThat(helpersAfter).isEqualTo(7);
    }

    /** Generation keeps every canonical solution whole: no stop sequence occurs before it ends. */
    @Test
    void stopSequencesNeverCutACanonicalSolution() {
        for (EvalLanguage l : List.of(EvalLanguage.CPP, EvalLanguage.GO, EvalLanguage.JAVASCRIPT, EvalLanguage.RUST)) {
            for (Problem p : HumanEval.of(l).problems()) {
                assertThat(p.stopTokens()).isNotEmpty();
                String kept = p.canonicalSolution();
                if (p.stopsOnClosedBraces()) {
                    // what follows the closing brace is not generated (CPP/94's solution ends with test lines)
                    BraceTracker t = new BraceTracker();
                    t.feed(p.prompt());
                    kept = kept.substring(0, t.feedUntilClosed(kept));
                }
                for (String stop : p.stopTokens()) {
                    assertThat(kept).as(p.taskId() + " / " + stop).doesNotContain(stop);
                }
            }
        }
    }

    @Test
    void bracesInLiteralsCommentsAndRustLifetimesAreNotCounted() {
        BraceTracker t = new BraceTracker();
        t.feed("fn f<'a>(x: &'a str) -> &'a str {\n");
        assertThat(t.depth()).isEqualTo(1);
        String rust = "    let c = '{'; let s = \"}\"; let e = '\\u{7D}'; // }\n    x\n}\nfn g() {}";
        assertThat(t.feedUntilClosed(rust)).isEqualTo(rust.indexOf("}\nfn") + 1);
        BraceTracker js = new BraceTracker();
        js.feed("const f = (x) => {\n");
        String body = "  return `}${x}`;\n}\n";
        assertThat(js.feedUntilClosed(body)).isEqualTo(body.indexOf("}\n") + 1);
        BraceTracker go = new BraceTracker();
        go.feed("func F() string {\n");
        String goBody = "    return `}` + \"{\"\n}\n";
        assertThat(go.feedUntilClosed(goBody)).isEqualTo(goBody.lastIndexOf('}') + 1);
    }

    @Test
    void languagesParseFromNamesAndTaskIdPrefixes() {
        assertThat(EvalLanguage.parse("CPP")).isEqualTo(EvalLanguage.CPP);
        assertThat(EvalLanguage.parse("c++")).isEqualTo(EvalLanguage.CPP);
        assertThat(EvalLanguage.parse("Go")).isEqualTo(EvalLanguage.GO);
        assertThat(EvalLanguage.parse("JavaScript")).isEqualTo(EvalLanguage.JAVASCRIPT);
        assertThat(EvalLanguage.parse("js")).isEqualTo(EvalLanguage.JAVASCRIPT);
        assertThat(EvalLanguage.parse("Rust")).isEqualTo(EvalLanguage.RUST);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvalLanguage.parse("cobol"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported language 'cobol'; use python, java, cpp, go, js or rust");
        for (EvalLanguage l : EvalLanguage.values()) {
            assertThat(HumanEval.of(l).size()).isEqualTo(164);
            assertThat(HumanEval.of(l).language()).isEqualTo(l);
        }
    }
}
