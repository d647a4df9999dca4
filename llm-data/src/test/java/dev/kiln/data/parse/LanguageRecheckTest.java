package dev.kiln.data.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.Corpus;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.Recipe;
import dev.kiln.data.Stages;
import dev.kiln.data.Verdict;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The re-check of tree-sitter's rejects by the language's own checker ({@code node --check},
 * CPython's compiler), with real processes; skipped where node or python3 is missing.
 */
class LanguageRecheckTest {

    /**
     * Valid JavaScript (automatic semicolon insertion ends the arrow function before the array
     * literal on its own line) that tree-sitter-javascript reads as a subscript of the arrow
     * function's body and rejects at the spread. Reduced from the pattern in npm's base-cmd.js.
     */
    static final String ASI = "const list = [1, 2]\n"
            + "const twice = (x) => {\n"
            + "  return x * 2\n"
            + "}\n"
            + "\n"
            + "[...list].forEach((x) => console.log(twice(x)))\n";

    static final ParsableFilter AUTO = ParsableFilter.create();
    static final ParsableFilter OFF = AUTO.withRecheck(ParsableFilter.Recheck.OFF);

    static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void assumeNode() {
        assumeTrue(runs("node", "--version"), "node is not on the PATH");
    }

    static void assumePython() {
        assumeTrue(runs("python3", "--version"), "python3 is not on the PATH");
    }

    static void assumeTreeSitter(String language) {
        assumeTrue(ParsableFilter.treeSitterLanguages().contains(language), "no tree-sitter " + language + " here");
    }

    static Document js(String content) {
        return Document.fromSource("t", "src/a.js", content);
    }

    static Document py(String content) {
        return Document.fromSource("t", "src/a.py", content);
    }

    @Test
    void nodeRescuesTheAsiCaseTreeSitterMisreads() {
        assumeTreeSitter("javascript");
        assumeNode();
        Document d = js(ASI);
        assertThat(d.language()).isEqualTo("javascript");
        // tree-sitter alone drops it ...
        assertThat(OFF.check(d)).isEqualTo(ParsableFilter.Outcome.BROKEN);
        assertThat(OFF.test(d)).isEqualTo(Verdict.drop("javascript"));
        // ... node --check accepts it: kept, and the verdict says who rescued it
        assertThat(AUTO.check(d)).isEqualTo(ParsableFilter.Outcome.RESCUED);
        assertThat(AUTO.test(d)).isEqualTo(Verdict.keep("rescued:node"));
    }

    @Test
    void brokenJavaScriptAndPythonAreStillDroppedWithRecheckOn() {
        assumeTreeSitter("javascript");
        assumeTreeSitter("python");
        assumeNode();
        assumePython();
        // unbalanced braces, as a script and with module syntax (both node modes reject it)
        Document unbalanced = js(ASI.replace("  return x * 2\n}\n", "  return x * 2\n"));
        Document moduleSyntaxError = js("import { a } from './a.js'\nexport const b = (a, => a\n");
        Document brokenPython = py("def f(x):\n    return [i for i in x\n\nprint(f([1]))\n");
        Document unclosedPython = py("class A:\n    def f(self):\n        return {1: [2, 3}\n");
        for (Document d : List.of(unbalanced, moduleSyntaxError, brokenPython, unclosedPython)) {
            assertThat(AUTO.test(d)).as(d.content()).isEqualTo(Verdict.drop(d.language()));
        }
    }

    @Test
    void theCheckersAnswerForRealAndNeverRunTheCode(@TempDir Path tmp) throws IOException {
        assumeNode();
        assumePython();
        Path marker = tmp.resolve("ran");
        // The temporary inputs of other processes sharing java.io.tmpdir (a parallel build) are not this test's.
        java.util.Set<Path> before = recheckInputs();
        String m = marker.toString().replace("\\", "\\\\").replace("'", "\\'");
        // valid code that would create a file if it ran: the checkers only parse
        String jsModule = "import fs from 'fs'\nfs.writeFileSync('" + m + "', 'x')\nexport default 1\n";
        String python = "open('" + m + "', 'w').write('x')\n";
        assertThat(LanguageChecker.NODE.check(jsModule, 10_000)).isEqualTo(LanguageChecker.Result.ACCEPTED);
        assertThat(LanguageChecker.NODE.check(ASI, 10_000)).isEqualTo(LanguageChecker.Result.ACCEPTED);
        assertThat(LanguageChecker.NODE.check("let x = (1, 2;\n", 10_000)).isEqualTo(LanguageChecker.Result.REJECTED);
        assertThat(LanguageChecker.PYTHON.check(python, 10_000)).isEqualTo(LanguageChecker.Result.ACCEPTED);
        // PEP 263 declaration on text that is already decoded: accepted, as CPython accepts the file
        assertThat(LanguageChecker.PYTHON.check("# -*- coding: latin-1 -*-\ns = 'héllo'\n", 10_000))
                .isEqualTo(LanguageChecker.Result.ACCEPTED);
        assertThat(LanguageChecker.PYTHON.check("def f(:\n    pass\n", 10_000))
                .isEqualTo(LanguageChecker.Result.REJECTED);
        assertThat(marker).doesNotExist();
        // no .pyc and no temporary input left behind
        java.util.Set<Path> left = recheckInputs();
        left.removeAll(before);
        assertThat(left).isEmpty();
    }

    private static java.util.Set<Path> recheckInputs() throws IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("kiln-recheck-"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }

    @Test
    void anAbsentCheckerMeansNoRecheckNeverACrash() {
        LanguageChecker missing = new LanguageChecker("javascript", "kiln-no-such-checker-on-path");
        assertThat(missing.knownUnavailable()).isFalse();
        assertThat(missing.check(ASI, 5_000)).isEqualTo(LanguageChecker.Result.UNKNOWN);
        assertThat(missing.knownUnavailable()).isTrue(); // not tried again (warned once)
        assertThat(missing.check("let x = (", 5_000)).isEqualTo(LanguageChecker.Result.UNKNOWN);
    }

    @Test
    void aCheckerThatTakesTooLongIsStoppedAndAnswersNothing() {
        assumePython();
        // a program that the checker cannot finish compiling in 1 ms of budget (process start alone takes longer)
        assertThat(LanguageChecker.PYTHON.check("x = 1\n", 1)).isEqualTo(LanguageChecker.Result.UNKNOWN);
    }

    @Test
    void theOptionIsValidatedAndReachesTheStage() {
        DocumentFilter off = (DocumentFilter) Stages.create("parsable", Map.of("recheck", "off"));
        assertThat(((ParsableFilter) off).recheck()).isEqualTo(ParsableFilter.Recheck.OFF);
        assertThat(off.toString()).contains("recheck=off");
        assertThat(((ParsableFilter) Stages.create("parsable", Map.of())).recheck())
                .isEqualTo(ParsableFilter.Recheck.AUTO);
        assertThat(((ParsableFilter) Stages.create("parsable", Map.of("recheck", "AUTO"))).recheck())
                .isEqualTo(ParsableFilter.Recheck.AUTO);
        assertThatThrownBy(() -> Stages.create("parsable", Map.of("recheck", "sometimes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sometimes'")
                .hasMessageContaining("'auto' or 'off'");
        assertThatThrownBy(() -> Stages.create("parsable", Map.of("recheck", 3)))
                .hasMessageContaining("'3'");
        // YAML reads a bare off as a string or as false: both mean off
        Recipe r = Recipe.parse("name: r\nstages:\n  - parsable: {recheck: off}\n", "r", "test");
        assertThat(((ParsableFilter) r.stages().get(0)).recheck()).isEqualTo(ParsableFilter.Recheck.OFF);
    }

    @Test
    void theReportCountsUncheckedDocumentsPerLanguageAndRescues(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.writeString(in.resolve("Main.hs"), "main = print 1\n");
        Files.writeString(in.resolve("Util.hs"), "module Util where\nf x = x\n");
        Files.writeString(in.resolve("notes.md"), "# Notes\n\nSome text.\n");
        Files.writeString(in.resolve("A.java"), "class A { void f() { int x = ; } }\n");
        Files.writeString(in.resolve("B.java"), "class B {}\n");
        Files.writeString(in.resolve("asi.js"), ASI);
        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(in)
                .filter(AUTO)
                .optWorkers(2)
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(out));

        PipelineReport.StageReport parsable = r.stages().stream()
                .filter(s -> s.name().equals("parsable"))
                .findFirst()
                .orElseThrow();
        assertThat(parsable.dropped()).containsExactly(Map.entry("java", 1L));
        boolean treeSitterJs = ParsableFilter.treeSitterLanguages().contains("javascript");
        boolean node = runs("node", "--version");
        Map<String, Long> expected = new java.util.TreeMap<>(Map.of("unchecked:haskell", 2L, "unchecked:markdown", 1L));
        if (!treeSitterJs) {
            expected.put("unchecked:javascript", 1L);
        } else if (node) {
            expected.put("rescued:node", 1L);
        }
        if (!treeSitterJs || node) {
            assertThat(parsable.notes()).isEqualTo(expected);
        }
        assertThat(parsable.kept()).isEqualTo(treeSitterJs && !node ? 4 : 5);

        JsonNode stage = null;
        for (JsonNode s : Json.read(out.resolve("report.json")).get("stages")) {
            if (s.get("name").asText().equals("parsable")) {
                stage = s;
            }
        }
        assertThat(stage).isNotNull();
        assertThat(stage.get("notes").get("unchecked:haskell").asLong()).isEqualTo(2);
        assertThat(stage.get("notes").get("unchecked:markdown").asLong()).isEqualTo(1);
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html)
                .contains("Not checked by <code>parsable</code>")
                .contains("unchecked:haskell 2")
                .contains(">haskell<");
        assertThat(Files.readString(out.resolve("README.md"))).contains("unchecked:haskell 2");
    }
}
