package dev.kiln.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A programming (or markup, or data) language, and the registry that maps file names, extensions
 * and shebang lines to it.
 *
 * <pre>{@code
 * Language.detect("src/Main.java")                 // java
 * Language.detect("bin/run", "#!/usr/bin/env python3\n...") // python
 * Language.detect("Makefile")                      // makefile
 * Language.of("java").displayName()                // "Java"
 * }</pre>
 *
 * <p>Detection order: exact file name ({@code Makefile}, {@code Dockerfile}), then the longest
 * matching extension ({@code .d.ts} before {@code .ts}), then the shebang interpreter. A {@code .h}
 * header is C unless its content shows C++ ({@code class}, {@code namespace}, {@code template},
 * {@code std::}) or Objective-C ({@code @interface}, {@code #import}).
 *
 * <p>Ids are lower-case and stable; they are what documents, reports and recipes use.
 */
public final class Language implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String id;
    private final String displayName;
    private final Kind kind;
    private final List<String> extensions;
    private final List<String> fileNames;
    private final List<String> interpreters;

    /** What kind of text a language is. */
    public enum Kind {
        /** Source code: what the code filters and the tokenizer's code mode are for. */
        PROGRAMMING,
        /** Markup such as HTML and XML. */
        MARKUP,
        /** Data files such as JSON, YAML and CSV. */
        DATA,
        /** Prose such as Markdown and plain text. */
        PROSE,
        /** Not recognised from the path. */
        UNKNOWN
    }

    private static final Map<String, Language> BY_ID = new HashMap<>();
    private static final Map<String, Language> BY_EXT = new HashMap<>();
    private static final Map<String, Language> BY_NAME = new HashMap<>();
    private static final Map<String, Language> BY_INTERPRETER = new HashMap<>();
    private static final List<Language> ALL = new ArrayList<>();
    private static int maxExtDots = 1;

    /** Text whose language is not known. */
    public static final Language UNKNOWN =
            new Language("unknown", "Unknown", Kind.UNKNOWN, List.of(), List.of(), List.of());

    static {
        BY_ID.put(UNKNOWN.id, UNKNOWN);
        p("java", "Java", exts("java"));
        p(
                "python",
                "Python",
                exts("py", "pyw", "pyi"),
                names("SConstruct", "SConscript"),
                interp("python", "python2", "python3", "pypy", "pypy3"));
        p(
                "javascript",
                "JavaScript",
                exts("js", "mjs", "cjs", "jsx"),
                names("Jakefile"),
                interp("node", "nodejs", "deno", "bun"));
        p("typescript", "TypeScript", exts("ts", "tsx", "mts", "cts", "d.ts"), names(), interp("ts-node", "tsx"));
        p("c", "C", exts("c", "h"));
        p("cpp", "C++", exts("cpp", "cc", "cxx", "c++", "hpp", "hh", "hxx", "h++", "ipp", "tpp", "inl", "ino"));
        p("csharp", "C#", exts("cs", "csx"));
        p("go", "Go", exts("go"));
        p("rust", "Rust", exts("rs"));
        p("kotlin", "Kotlin", exts("kt", "kts"));
        p("scala", "Scala", exts("scala", "sc", "sbt"), names(), interp("scala"));
        p("swift", "Swift", exts("swift"));
        p("objective-c", "Objective-C", exts("m"));
        p("objective-cpp", "Objective-C++", exts("mm"));
        p(
                "ruby",
                "Ruby",
                exts("rb", "rake", "gemspec", "ru"),
                names("Rakefile", "Gemfile", "Podfile", "Vagrantfile", "Brewfile"),
                interp("ruby", "jruby"));
        p("php", "PHP", exts("php", "phtml", "php3", "php4", "php5", "phps"), names(), interp("php"));
        p(
                "shell",
                "Shell",
                exts("sh", "bash", "zsh", "ksh", "bats"),
                names(".bashrc", ".bash_profile", ".zshrc", ".profile", "PKGBUILD"),
                interp("sh", "bash", "zsh", "ksh", "dash", "ash"));
        p("powershell", "PowerShell", exts("ps1", "psm1", "psd1"), names(), interp("pwsh", "powershell"));
        p("perl", "Perl", exts("pl", "pm", "t", "pod"), names(), interp("perl"));
        p("lua", "Lua", exts("lua"), names(), interp("lua", "luajit"));
        p("r", "R", exts("r", "rmd"), names(".Rprofile"), interp("Rscript"));
        p("julia", "Julia", exts("jl"), names(), interp("julia"));
        p("haskell", "Haskell", exts("hs", "lhs"), names(), interp("runhaskell"));
        p("ocaml", "OCaml", exts("ml", "mli"), names(), interp("ocaml"));
        p("fsharp", "F#", exts("fs", "fsi", "fsx"));
        p("elixir", "Elixir", exts("ex", "exs"), names(), interp("elixir"));
        p("erlang", "Erlang", exts("erl", "hrl"), names("rebar.config"), interp("escript"));
        p("clojure", "Clojure", exts("clj", "cljs", "cljc", "edn"));
        p("groovy", "Groovy", exts("groovy", "gvy", "gradle"), names("Jenkinsfile"), interp("groovy"));
        p("dart", "Dart", exts("dart"));
        p("zig", "Zig", exts("zig"));
        p("fortran", "Fortran", exts("f", "f90", "f95", "f03", "f08", "for"));
        p("visual-basic", "Visual Basic", exts("vb", "vbs", "bas"));
        p("assembly", "Assembly", exts("asm", "s", "nasm"));
        p("cuda", "CUDA", exts("cu", "cuh"));
        p("solidity", "Solidity", exts("sol"));
        p("sql", "SQL", exts("sql", "ddl", "psql"));
        p(
                "makefile",
                "Makefile",
                exts("mk", "mak"),
                names("Makefile", "makefile", "GNUmakefile", "Makefile.am", "Makefile.in"),
                interp("make"));
        p("cmake", "CMake", exts("cmake"), names("CMakeLists.txt"));
        p("dockerfile", "Dockerfile", exts("dockerfile"), names("Dockerfile", "Containerfile"));
        p("tcl", "Tcl", exts("tcl"), names(), interp("tclsh", "wish"));
        p("awk", "Awk", exts("awk"), names(), interp("awk", "gawk", "mawk"));
        m("html", "HTML", exts("html", "htm", "xhtml"));
        m("css", "CSS", exts("css"));
        m("scss", "SCSS", exts("scss", "sass", "less"));
        m("markdown", "Markdown", exts("md", "markdown", "mdx"));
        m("restructuredtext", "reStructuredText", exts("rst"));
        m("tex", "TeX", exts("tex", "sty", "cls"));
        m("vue", "Vue", exts("vue"));
        d("json", "JSON", exts("json", "jsonl", "geojson", "ipynb"), names(".babelrc", ".eslintrc", "composer.lock"));
        d("yaml", "YAML", exts("yaml", "yml"), names(".clang-format"));
        d("toml", "TOML", exts("toml"), names("Cargo.lock", "Pipfile"));
        d("xml", "XML", exts("xml", "xsd", "xsl", "xslt", "pom", "svg", "wsdl", "plist", "csproj", "fxml"));
        d("protobuf", "Protocol Buffers", exts("proto"));
        d("ini", "INI", exts("ini", "cfg", "properties", "conf"), names(".editorconfig", ".gitconfig"));
        d("csv", "CSV", exts("csv", "tsv"));
        d("graphql", "GraphQL", exts("graphql", "gql"));
    }

    private Language(
            String id,
            String displayName,
            Kind kind,
            List<String> extensions,
            List<String> fileNames,
            List<String> interpreters) {
        this.id = id;
        this.displayName = displayName;
        this.kind = kind;
        this.extensions = List.copyOf(extensions);
        this.fileNames = List.copyOf(fileNames);
        this.interpreters = List.copyOf(interpreters);
    }

    private static List<String> exts(String... e) {
        return List.of(e);
    }

    private static List<String> names(String... n) {
        return List.of(n);
    }

    private static List<String> interp(String... i) {
        return List.of(i);
    }

    private static void p(String id, String name, List<String> e) {
        register(new Language(id, name, Kind.PROGRAMMING, e, List.of(), List.of()));
    }

    private static void p(String id, String name, List<String> e, List<String> n) {
        register(new Language(id, name, Kind.PROGRAMMING, e, n, List.of()));
    }

    private static void p(String id, String name, List<String> e, List<String> n, List<String> i) {
        register(new Language(id, name, Kind.PROGRAMMING, e, n, i));
    }

    private static void m(String id, String name, List<String> e) {
        register(new Language(
                id,
                name,
                id.equals("markdown") || id.equals("restructuredtext") || id.equals("tex") ? Kind.PROSE : Kind.MARKUP,
                e,
                List.of(),
                List.of()));
    }

    private static void d(String id, String name, List<String> e) {
        register(new Language(id, name, Kind.DATA, e, List.of(), List.of()));
    }

    private static void d(String id, String name, List<String> e, List<String> n) {
        register(new Language(id, name, Kind.DATA, e, n, List.of()));
    }

    private static void register(Language l) {
        if (BY_ID.putIfAbsent(l.id, l) != null) {
            throw new IllegalStateException("duplicate language id " + l.id);
        }
        ALL.add(l);
        for (String e : l.extensions) {
            if (BY_EXT.putIfAbsent(e.toLowerCase(Locale.ROOT), l) != null) {
                throw new IllegalStateException("extension ." + e + " registered twice");
            }
            maxExtDots = Math.max(
                    maxExtDots, 1 + (int) e.chars().filter(c -> c == '.').count());
        }
        for (String n : l.fileNames) {
            BY_NAME.put(n, l);
        }
        for (String i : l.interpreters) {
            BY_INTERPRETER.put(i, l);
        }
    }

    /** Every registered language, {@link #UNKNOWN} last. */
    public static List<Language> all() {
        List<Language> out = new ArrayList<>(ALL);
        out.add(UNKNOWN);
        return Collections.unmodifiableList(out);
    }

    /** The language with this id. */
    public static Optional<Language> find(String id) {
        return Optional.ofNullable(id == null ? null : BY_ID.get(id.toLowerCase(Locale.ROOT)));
    }

    /**
     * The language with this id.
     *
     * @throws IllegalArgumentException naming the id and the known ids when there is none
     */
    public static Language of(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown language '" + id + "'; known: "
                + String.join(", ", ALL.stream().map(Language::id).toList())));
    }

    /** Detects the language from a path (file name and extension) alone. */
    public static Language detect(String path) {
        return detect(path, null);
    }

    /**
     * Detects the language from a path and, where the name is not enough, the content's first line
     * (shebang) and a few markers ({@code .h} headers).
     *
     * @param path a path with {@code /} or {@code \} separators; may be empty
     * @param content the text, or {@code null} when not at hand
     */
    public static Language detect(String path, CharSequence content) {
        String name = fileName(path == null ? "" : path);
        Language byName = BY_NAME.get(name);
        if (byName != null) {
            return byName;
        }
        if (name.startsWith("Dockerfile.") || name.endsWith(".Dockerfile")) {
            return BY_ID.get("dockerfile");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        // Longest extension first: "x.d.ts" tries "d.ts" then "ts".
        int dot = -1;
        int dots = 0;
        for (int i = lower.length() - 1; i > 0 && dots < maxExtDots; i--) {
            if (lower.charAt(i) == '.') {
                dot = i;
                dots++;
            }
        }
        while (dot > 0) {
            String ext = lower.substring(dot + 1);
            Language l = BY_EXT.get(ext);
            if (l != null) {
                if (ext.equals("h") && content != null) {
                    return headerLanguage(content);
                }
                return l;
            }
            dot = lower.indexOf('.', dot + 1);
        }
        if (content != null) {
            Language l = fromShebang(content);
            if (l != null) {
                return l;
            }
        }
        return UNKNOWN;
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    /** The interpreter named by a {@code #!} first line, if registered. */
    static Language fromShebang(CharSequence content) {
        if (content.length() < 3 || content.charAt(0) != '#' || content.charAt(1) != '!') {
            return null;
        }
        int end = 2;
        while (end < content.length() && end < 256 && content.charAt(end) != '\n' && content.charAt(end) != '\r') {
            end++;
        }
        String[] parts = content.subSequence(2, end).toString().trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) {
            return null;
        }
        String prog = fileName(parts[0]);
        int i = 1;
        if (prog.equals("env")) {
            while (i < parts.length && (parts[i].startsWith("-") || parts[i].contains("="))) {
                i++;
            }
            if (i >= parts.length) {
                return null;
            }
            prog = fileName(parts[i]);
        }
        Language l = BY_INTERPRETER.get(prog);
        if (l == null) {
            // python3.12, ruby2.7, node18 ...
            String base = prog.replaceAll("[0-9.]+$", "");
            l = BY_INTERPRETER.get(base);
        }
        return l;
    }

    private static Language headerLanguage(CharSequence content) {
        int limit = Math.min(content.length(), 64 * 1024);
        String head = content.subSequence(0, limit).toString();
        if (head.contains("@interface") || head.contains("@end") || head.contains("#import ")) {
            return BY_ID.get("objective-c");
        }
        if (head.contains("namespace ")
                || head.contains("template<")
                || head.contains("template <")
                || head.contains("std::")
                || head.matches("(?s).*\\bclass\\s+\\w+\\s*[:{].*")
                || head.contains("#include <iostream>")
                || head.contains("public:")
                || head.contains("private:")) {
            return BY_ID.get("cpp");
        }
        return BY_ID.get("c");
    }

    /** The stable lower-case id stored in {@link Document#language()}, e.g. {@code "java"}. */
    public String id() {
        return id;
    }

    /** The name for people, e.g. {@code "C++"}. */
    public String displayName() {
        return displayName;
    }

    /** What kind of file this is. */
    public Kind kind() {
        return kind;
    }

    /** Extensions without the dot, lower case. */
    public List<String> extensions() {
        return extensions;
    }

    /** Exact file names, such as {@code Makefile}. */
    public List<String> fileNames() {
        return fileNames;
    }

    /** Shebang interpreters, such as {@code python3}. */
    public List<String> interpreters() {
        return interpreters;
    }

    private Object readResolve() {
        return BY_ID.getOrDefault(id, this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Language l && l.id.equals(id);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id);
    }

    @Override
    public String toString() {
        return id;
    }
}
