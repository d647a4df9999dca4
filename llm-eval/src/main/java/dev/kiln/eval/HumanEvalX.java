package dev.kiln.eval;

import java.util.List;
import java.util.Map;

/**
 * HumanEval-X rows and test programs, assembled exactly as THUDM/CodeGeeX's reference harness
 * ({@code codegeex/benchmark/utils.py}, {@code process_humaneval_test}) does, so that a verdict
 * means the same as there.
 *
 * <ul>
 *   <li>C++: the headers of the reference's {@code IMPORT_HELPER["cpp"]} that the prompt does not
 *       include, then {@code "\n" + prompt + completion + "\n" + test}.
 *   <li>Go: the prompt without its {@code import} block; {@code test_setup + "\n"}, then an
 *       {@code import (...)} of the {@code IMPORT_HELPER["go"]} packages the completion uses
 *       ({@code "pkg."} occurs in it) and {@code test_setup} lacks, then {@code prompt + completion +
 *       "\n" + test}.
 *   <li>JavaScript and Java: {@code prompt + completion + "\n" + test}.
 *   <li>Rust: the dataset's prompt is only the doc comment and its {@code declaration} holds the
 *       {@code use} lines and the signature, placed before it by the reference; Kiln's prompt is
 *       {@code declaration + prompt} (so a model sees the signature) and the program {@code "\nfn
 *       main(){ \n } \n" + prompt + completion + test}, the same text.
 * </ul>
 */
final class HumanEvalX {

    /** IMPORT_HELPER["cpp"] of the reference harness, in its order. */
    static final List<String> CPP_HEADERS = List.of(
            "#include<stdlib.h>",
            "#include<algorithm>",
            "#include<math.h>",
            "#include<stdio.h>",
            "#include<vector>",
            "#include<string>",
            "#include<climits>",
            "#include<cstring>",
            "#include<iostream>");

    /** IMPORT_HELPER["go"] of the reference harness, in its order. */
    static final List<String> GO_PACKAGES =
            List.of("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5");

    /**
     * Stop sequences per language for generation: text at column 0 that only follows the function
     * (and, in Go and Rust, its helper functions): a {@code main}, the tests, includes, top-level
     * comments. C++ and JavaScript also stop structurally when the braces the prompt opened are
     * closed ({@link Problem#stopsOnClosedBraces()}).
     */
    static final Map<EvalLanguage, List<String>> STOPS = Map.of(
            EvalLanguage.CPP, List.of("\nint main(", "\n#include", "\n#undef", "\n/*", "\n//"),
            EvalLanguage.GO, List.of("\n//", "\nfunc main(", "\nfunc Test", "\npackage "),
            EvalLanguage.JAVASCRIPT, List.of("\nconst test", "\nconsole.", "\n/*", "\n//", "\nmodule.exports"),
            EvalLanguage.RUST, List.of("\nfn main(", "\n#[cfg(test)]", "\n#[test]", "\n/*", "\n//"));

    private HumanEvalX() {}

    /** Stop sequences of {@code language} (empty for Java, which stops on braces only). */
    static List<String> stops(EvalLanguage language) {
        return STOPS.getOrDefault(language, List.of());
    }

    /** The prompt a model is given, from the row's {@code prompt} and {@code declaration}. */
    static String prompt(EvalLanguage language, String prompt, String declaration) {
        if (language == EvalLanguage.RUST && declaration != null) {
            return declaration + prompt;
        }
        return prompt;
    }

    static String program(Problem p, String completion) {
        switch (p.language()) {
            case CPP: {
                StringBuilder setup = new StringBuilder();
                for (String h : CPP_HEADERS) {
                    if (!p.prompt().contains(h)) {
                        setup.append(h).append('\n');
                    }
                }
                return setup + "\n" + p.prompt() + completion + "\n" + p.test();
            }
            case GO: {
                String imports = p.fields().getOrDefault("import", "");
                String testSetup = p.fields().getOrDefault("test_setup", "");
                String prompt = imports.isEmpty() ? p.prompt() : p.prompt().replace(imports, "");
                StringBuilder other = new StringBuilder();
                for (String pkg : GO_PACKAGES) {
                    if (!testSetup.contains(pkg)) {
                        String last = pkg.substring(pkg.lastIndexOf('/') + 1);
                        if (completion.contains(last + ".")) {
                            other.append(other.isEmpty() ? "" : "    ")
                                    .append('"')
                                    .append(pkg)
                                    .append("\"\n");
                        }
                    }
                }
                String head = other.isEmpty() ? "" : "import (\n" + other + ")\n";
                return testSetup + "\n" + head + prompt + completion + "\n" + p.test();
            }
            case RUST:
                return "\nfn main(){ \n } \n" + p.prompt() + completion + p.test();
            default:
                return p.prompt() + completion + "\n" + p.test();
        }
    }
}
