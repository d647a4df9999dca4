package dev.kiln.data.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Stages;
import dev.kiln.data.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree-sitter half of the parsable stage, through the real jtreesitter FFM code (the Java 23
 * classes of target/classes/META-INF/versions/23 are on the test class path) and the real bonede
 * native grammars; Python files are checked against CPython's own compiler.
 */
class TreeSitterParsableTest {

    static final ParsableFilter PARSABLE = ParsableFilter.create();
    static final Path STDLIB = Path.of("/usr/lib/python3.11");

    /** A few hundred stdlib files that {@code py_compile} accepts (sorted, every k-th). */
    static List<Path> compilable;

    @BeforeAll
    static void pythonFiles() throws Exception {
        List<Path> all;
        try (Stream<Path> s = Files.walk(STDLIB)) {
            all = s.filter(p -> p.toString().endsWith(".py"))
                    .filter(p -> !p.toString().contains("/site-packages/")
                            && !p.toString().contains("/dist-packages/"))
                    .filter(p -> !p.toString().contains("lib2to3/tests/data"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        List<Path> sample = new ArrayList<>();
        int step = Math.max(1, all.size() / 400);
        for (int i = 0; i < all.size(); i += step) {
            sample.add(all.get(i));
        }
        compilable = pyCompiles(sample);
    }

    /** The files CPython compiles, asked of one python3 process. */
    static List<Path> pyCompiles(List<Path> files) throws Exception {
        String script = "import sys\n"
                + "for line in sys.stdin:\n"
                + "    p = line.rstrip('\\n')\n"
                + "    try:\n"
                + "        src = open(p, 'rb').read()\n"
                + "        compile(src, p, 'exec', dont_inherit=True)\n"
                + "        print('OK', p)\n"
                + "    except Exception:\n"
                + "        pass\n";
        Process proc = new ProcessBuilder("python3", "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread writer = new Thread(() -> {
            try (var out = proc.getOutputStream()) {
                for (Path p : files) {
                    out.write((p + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        writer.join();
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Set<String> ok = out.lines()
                .filter(l -> l.startsWith("OK "))
                .map(l -> l.substring(3))
                .collect(Collectors.toSet());
        return files.stream().filter(p -> ok.contains(p.toString())).collect(Collectors.toList());
    }

    static Document doc(Path p) throws IOException {
        return Document.fromSource("t", p.toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
    }

    @Test
    void treeSitterIsBoundThroughFfmOnThisJvm() {
        assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(23);
        assertThat(TreeSitterParsers.get().getClass().getName()).isEqualTo("dev.kiln.data.parse.TreeSitterChecker");
        assertThat(ParsableFilter.treeSitterLanguages())
                .containsExactlyInAnyOrder(
                        "python",
                        "javascript",
                        "typescript",
                        "go",
                        "rust",
                        "c",
                        "cpp",
                        "csharp",
                        "ruby",
                        "php",
                        "shell",
                        "kotlin",
                        "scala",
                        "json",
                        "html",
                        "css");
        assertThat(PARSABLE.supports("python")).isTrue();
        assertThat(PARSABLE.supports("haskell")).isFalse();
    }

    @Test
    void pythonFilesThatCPythonCompilesAreKept() throws IOException {
        assertThat(compilable).hasSizeGreaterThan(300);
        List<String> dropped = new ArrayList<>();
        List<String> rescued = new ArrayList<>();
        for (Path p : compilable) {
            Document d = doc(p);
            assertThat(d.language()).isEqualTo("python");
            ParsableFilter.Outcome o = PARSABLE.check(d);
            assertThat(o).as(p.toString()).isNotEqualTo(ParsableFilter.Outcome.UNCHECKED);
            if (o == ParsableFilter.Outcome.BROKEN) {
                dropped.add(p.toString());
            } else if (o == ParsableFilter.Outcome.RESCUED) {
                rescued.add(p.toString());
            }
        }
        double rate = (double) dropped.size() / compilable.size();
        System.err.printf(
                "parsable: dropped %d of %d stdlib files CPython compiles (%.2f%%) %s; rescued by python3 %s%n",
                dropped.size(), compilable.size(), 100 * rate, dropped, rescued);
        assertThat(rate).isLessThanOrEqualTo(0.005);
    }

    @Test
    void pythonFilesWithSyntaxErrorsAreDroppedAsPython(@TempDir Path tmp) throws Exception {
        Random rnd = new Random(7);
        List<Path> broken = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Path p = compilable.get(rnd.nextInt(compilable.size()));
            List<String> lines = new ArrayList<>(Files.readAllLines(p, StandardCharsets.ISO_8859_1));
            int at = rnd.nextInt(lines.size() + 1);
            String[] errors = {"def f(:", "x = (1, 2", "if x y:", "return )", "class :"};
            lines.add(at, errors[rnd.nextInt(errors.length)]);
            Path out = tmp.resolve(i + "_" + p.getFileName());
            Files.write(out, lines, StandardCharsets.ISO_8859_1);
            broken.add(out);
        }
        Set<Path> cpythonAccepts = Set.copyOf(pyCompiles(broken)); // e.g. inserted inside a string
        int checked = 0;
        for (Path p : broken) {
            if (cpythonAccepts.contains(p)) {
                continue;
            }
            checked++;
            assertThat(PARSABLE.test(doc(p))).as(p.toString()).isEqualTo(Verdict.drop("python"));
        }
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void npmsJavaScriptIsKeptAndBrokenJavaScriptDropped() throws IOException {
        Path npm = Path.of("/usr/lib/node_modules/npm/lib");
        List<Path> files;
        try (Stream<Path> s = Files.walk(npm)) {
            files = s.filter(p -> p.toString().endsWith(".js"))
                    .sorted()
                    .limit(150)
                    .collect(Collectors.toList());
        }
        assertThat(files).hasSizeGreaterThan(100);
        int n = 0;
        List<String> dropped = new ArrayList<>();
        List<String> rescued = new ArrayList<>();
        for (Path p : files) {
            Document d = Document.fromSource("t", p.toString(), Files.readString(p));
            ParsableFilter.Outcome o = PARSABLE.check(d);
            if (o == ParsableFilter.Outcome.RESCUED) {
                rescued.add(p.getFileName().toString());
                continue;
            }
            if (o != ParsableFilter.Outcome.PARSED) {
                dropped.add(p.getFileName().toString());
                continue;
            }
            String c = d.content();
            int close = c.lastIndexOf('}');
            if (close > 0 && n++ < 40) {
                Document broken = d.withContent(c.substring(0, close) + c.substring(close + 1));
                assertThat(PARSABLE.test(broken)).as("unbalanced " + p).isEqualTo(Verdict.drop("javascript"));
            }
        }
        System.err.printf(
                "parsable: dropped %d of %d npm files %s; rescued by node --check %s%n",
                dropped.size(), files.size(), dropped, rescued);
        // npm's own sources are valid: with node on the PATH the re-check leaves at most 0.5% dropped
        assertThat(dropped.size())
                .isLessThanOrEqualTo(
                        LanguageRecheckTest.runs("node", "--version") ? files.size() / 200 : files.size() / 100);
    }

    /** One valid and one broken file per language. */
    static final Map<String, String[]> SNIPPETS = new LinkedHashMap<>();

    static {
        SNIPPETS.put(
                "a.py", new String[] {"def f(x):\n    return [i * 2 for i in x if i]\n", "def f(x:\n    return x\n"});
        SNIPPETS.put(
                "a.js",
                new String[] {"const f = (x) => x.map(i => i * 2);\nexport default f;\n", "const f = (x => x;\n"});
        SNIPPETS.put("a.ts", new String[] {
            "interface P { x: number }\nexport function f(p: P): number { return p.x; }\n",
            "function f(p: P: number { return p.x; }\n"
        });
        SNIPPETS.put("a.go", new String[] {
            "package main\n\nfunc main() {\n\tx := []int{1, 2}\n\t_ = x\n}\n",
            "package main\n\nfunc main() {\n\tx := []int{1, 2\n}\n"
        });
        SNIPPETS.put("a.rs", new String[] {
            "fn main() {\n    let v: Vec<i32> = vec![1, 2];\n    println!(\"{:?}\", v);\n}\n",
            "fn main() {\n    let v = vec![1, 2;\n}\n"
        });
        SNIPPETS.put("a.c", new String[] {
            "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 1); return 0; }\n",
            "int main(void) { printf(\"%d\\n\", 1) return 0; }\n"
        });
        SNIPPETS.put("a.cpp", new String[] {
            "#include <vector>\ntemplate <typename T> T id(T x) { return x; }\nint main() { std::vector<int> v{1}; return id(v[0]); }\n",
            "template <typename T> T id(T x { return x; }\n"
        });
        SNIPPETS.put("A.cs", new String[] {
            "using System;\nclass A { static void Main() { Console.WriteLine(1); } }\n",
            "class A { static void Main() { Console.WriteLine(1; } }\n"
        });
        SNIPPETS.put("a.rb", new String[] {
            "class A\n  def f(x)\n    x.map { |i| i * 2 }\n  end\nend\n",
            "class A\n  def f(x\n    x.map { |i| i * 2 \n  end\n"
        });
        SNIPPETS.put("a.php", new String[] {
            "<?php\nfunction f($x) { return $x * 2; }\necho f(2);\n", "<?php\nfunction f($x { return $x * 2; }\n"
        });
        SNIPPETS.put("a.sh", new String[] {
            "#!/bin/bash\nfor f in *.txt; do\n  echo \"$f\"\ndone\n", "#!/bin/bash\nfor f in *.txt; do\n  echo \"$f\"\n"
        });
        SNIPPETS.put("A.kt", new String[] {
            "fun main() {\n    val xs = listOf(1, 2).map { it * 2 }\n    println(xs)\n}\n",
            "fun main() {\n    val xs = listOf(1, 2.map { it * 2 }\n}\n"
        });
        SNIPPETS.put("A.scala", new String[] {
            "object A {\n  def f(x: Int): Int = x * 2\n}\n", "object A {\n  def f(x: Int: Int = x * 2\n}\n"
        });
        SNIPPETS.put("a.json", new String[] {"{\"a\": [1, 2, {\"b\": null}]}\n", "{\"a\": [1, 2, {\"b\": null]}\n"});
        SNIPPETS.put("a.html", new String[] {
            "<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>\n", "<html><body><p>Hi</p></body></html\n"
        });
        SNIPPETS.put("a.css", new String[] {
            "body { color: red; }\n.a > .b { margin: 0 auto; }\n", "body { color: red; \n.a > .b { margin: 0 auto; }\n"
        });
    }

    @Test
    void everyLanguageKeepsValidAndDropsBrokenCode() {
        for (Map.Entry<String, String[]> e : SNIPPETS.entrySet()) {
            Document ok = Document.fromSource("t", "src/" + e.getKey(), e.getValue()[0]);
            Document bad = Document.fromSource("t", "src/" + e.getKey(), e.getValue()[1]);
            assertThat(PARSABLE.supports(ok.language())).as(e.getKey()).isTrue();
            assertThat(PARSABLE.check(ok)).as("valid " + e.getKey()).isEqualTo(ParsableFilter.Outcome.PARSED);
            assertThat(PARSABLE.test(bad)).as("broken " + e.getKey()).isEqualTo(Verdict.drop(ok.language()));
        }
    }

    @Test
    void thresholdTimeoutAndTsxAreHonoured() {
        Document oneError = Document.fromSource("t", "a.py", "x = 1\ndef f(:\n    pass\ny = 2\n");
        assertThat(PARSABLE.check(oneError)).isEqualTo(ParsableFilter.Outcome.BROKEN);
        assertThat(ParsableFilter.of("JAVA_25", true, 2_000_000, 5, 5_000).check(oneError))
                .isEqualTo(ParsableFilter.Outcome.PARSED);
        // A big file and a 1 ms budget: the parse is cancelled, the file passes unchecked.
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            big.append("def f").append(i).append("(a, b):\n    return [a * b for _ in range(a)]\n");
        }
        Document large = Document.fromSource("t", "big.py", big.toString());
        assertThat(ParsableFilter.of("JAVA_25", true, Integer.MAX_VALUE, 0, 1).check(large))
                .isEqualTo(ParsableFilter.Outcome.UNCHECKED);
        assertThat(PARSABLE.check(large)).isEqualTo(ParsableFilter.Outcome.UNCHECKED); // over max-chars
        Document tsx = Document.fromSource("t", "a.tsx", "const a = <div>{x}</div>;\n");
        assertThat(PARSABLE.check(tsx)).isEqualTo(ParsableFilter.Outcome.UNCHECKED);
        Document nonAscii = Document.fromSource("t", "u.py", "s = 'héllo 🌍 世界'\nprint(s)\n");
        assertThat(PARSABLE.check(nonAscii)).isEqualTo(ParsableFilter.Outcome.PARSED);
    }

    @Test
    void parsersArePerThreadAndTheRecipeOptionsWork() throws Exception {
        // recheck off: 120 broken files would each start a python3 here
        DocumentFilter f = (DocumentFilter)
                Stages.create("parsable", Map.of("max-errors", 0, "timeout-ms", 10_000, "recheck", "off"));
        List<Document> docs = new ArrayList<>();
        for (Path p : compilable.subList(0, 120)) {
            docs.add(doc(p));
            docs.add(doc(p).withContent(doc(p).content() + "\ndef broken(:\n"));
        }
        List<Boolean> sequential = docs.stream().map(d -> f.test(d).keep()).collect(Collectors.toList());
        List<Boolean> parallel =
                docs.parallelStream().map(d -> f.test(d).keep()).collect(Collectors.toList());
        assertThat(parallel).isEqualTo(sequential);
        assertThat(sequential.stream().filter(b -> !b).count()).isGreaterThanOrEqualTo(120);
    }
}
