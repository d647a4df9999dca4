package dev.kiln.data.parse;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code parsable} stage: drops source files that do not parse, with the language as the reason
 * ({@code parsable:java}).
 *
 * <ul>
 *   <li>Java: JavaParser at language level {@code JAVA_25} (configurable). A file JavaParser rejects
 *       is re-checked with the JDK's own parser ({@code JavacTask.parse}, preview syntax of the
 *       running release enabled), and kept if javac accepts it, so JavaParser's gaps never drop
 *       valid code. Without a javac (a JRE), JavaParser's verdict stands.
 *   <li>Python, JavaScript, TypeScript ({@code .tsx} excepted), Go, Rust, C, C++, C#, Ruby, PHP,
 *       shell (Bash), Kotlin, Scala, JSON, HTML and CSS: tree-sitter (jtreesitter over the native
 *       grammars of the {@code io.github.bonede} jars, extracted to a cache directory), on Java 23+.
 *       A file is broken when its tree has more than {@code max-errors} (default 0) ERROR or MISSING
 *       nodes. A parse longer than {@code timeout-ms} (default 5 000) is cancelled: unchecked.
 *   <li>Re-check ({@code recheck: auto}, the default): a JavaScript or Python file tree-sitter
 *       rejects is handed to the language's own checker when it is on the PATH, {@code node --check}
 *       (as a script, then as an ES module) or {@code python3} compiling it ({@code compile()}, which
 *       writes no {@code .pyc} and runs nothing), through a temporary file, with {@code timeout-ms}
 *       per process. If the checker accepts, the file is kept: {@link Outcome#RESCUED}, verdict note
 *       {@code rescued:node} / {@code rescued:python3}. A checker that rejects, times out, is absent
 *       or fails to start leaves the tree-sitter verdict (an absent checker is logged once at WARN).
 *       Only rejected files pay a process start. {@code recheck: off} keeps tree-sitter's verdict.
 *   <li>Every other language, every non-Java language on Java 17-22, and texts over {@code
 *       max-chars} (default 2 000 000), pass through {@link Outcome#UNCHECKED}, with the verdict note
 *       {@code unchecked:<language>}: reports count them per language (the stage's {@code notes}).
 * </ul>
 *
 * <p>Parsers are created per thread (JavaParser is not thread-safe) and hold no document state; the
 * stage itself is an immutable, serializable value.
 *
 * <pre>{@code
 * ParsableFilter parsable = ParsableFilter.create();
 * Verdict v = parsable.test(doc);                 // drop("java") for broken Java
 * ParsableFilter.Outcome o = parsable.check(doc); // PARSED, RESCUED, BROKEN or UNCHECKED
 * ParsableFilter treeSitterOnly = parsable.withRecheck(ParsableFilter.Recheck.OFF);
 * }</pre>
 *
 * <p>Recipe options: {@code java-level}, {@code javac-fallback}, {@code max-chars}, {@code
 * max-errors}, {@code timeout-ms}, {@code recheck} ({@code auto} or {@code off}); see {@link
 * ParsableProvider}.
 */
public final class ParsableFilter implements DocumentFilter {

    private static final long serialVersionUID = 2L;

    /** What {@link #check} found. */
    public enum Outcome {
        /** The file parses. */
        PARSED,
        /**
         * The first parser (JavaParser, tree-sitter) rejected the file and the language's own checker
         * ({@code javac}, {@code node}, {@code python3}) accepted it: kept.
         */
        RESCUED,
        /** The file has syntax errors. */
        BROKEN,
        /** No parser for this language (or too large): kept without a check. */
        UNCHECKED
    }

    /** Whether files tree-sitter rejects are re-checked by the language's own checker. */
    public enum Recheck {
        /** Re-check JavaScript with {@code node --check}, Python with {@code python3}, when on the PATH. */
        AUTO,
        /** Tree-sitter's verdict stands. */
        OFF;

        /**
         * {@code "auto"} or {@code "off"} (any case; {@code true}/{@code false} too, as YAML may read
         * {@code off} as a boolean).
         *
         * @throws IllegalArgumentException quoting any other value
         */
        public static Recheck parse(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
            switch (v) {
                case "auto":
                case "true":
                    return AUTO;
                case "off":
                case "false":
                    return OFF;
                default:
                    throw new IllegalArgumentException(
                            "parsable option recheck must be 'auto' or 'off', got '" + value + "'");
            }
        }
    }

    /** What a check found, and which checker rescued the file (null unless RESCUED). */
    private static final class Examined {
        static final Examined PARSED = new Examined(Outcome.PARSED, null);
        static final Examined BROKEN = new Examined(Outcome.BROKEN, null);
        static final Examined UNCHECKED = new Examined(Outcome.UNCHECKED, null);
        static final Examined RESCUED_BY_JAVAC = new Examined(Outcome.RESCUED, "javac");

        final Outcome outcome;
        final String checker;

        Examined(Outcome outcome, String checker) {
            this.outcome = outcome;
            this.checker = checker;
        }
    }

    private static final ThreadLocal<Map<ParserConfiguration.LanguageLevel, JavaParser>> PARSERS =
            ThreadLocal.withInitial(HashMap::new);

    private final ParserConfiguration.LanguageLevel javaLevel;
    private final boolean javacFallback;
    private final int maxChars;
    private final int maxErrors;
    private final long timeoutMillis;
    private final Recheck recheck;

    ParsableFilter(ParserConfiguration.LanguageLevel javaLevel, boolean javacFallback, int maxChars) {
        this(javaLevel, javacFallback, maxChars, 0, 5_000, Recheck.AUTO);
    }

    ParsableFilter(
            ParserConfiguration.LanguageLevel javaLevel,
            boolean javacFallback,
            int maxChars,
            int maxErrors,
            long timeoutMillis,
            Recheck recheck) {
        this.recheck = Objects.requireNonNull(recheck, "recheck");
        this.javaLevel = Objects.requireNonNull(javaLevel, "javaLevel");
        this.javacFallback = javacFallback;
        if (maxChars < 1) {
            throw new IllegalArgumentException("max-chars must be ≥ 1, got " + maxChars);
        }
        this.maxChars = maxChars;
        if (maxErrors < 0) {
            throw new IllegalArgumentException("max-errors must be ≥ 0, got " + maxErrors);
        }
        this.maxErrors = maxErrors;
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeout-ms must be ≥ 1, got " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
    }

    /** JavaParser at JAVA_25 with the javac fallback, files up to 2 000 000 chars. */
    public static ParsableFilter create() {
        return new ParsableFilter(ParserConfiguration.LanguageLevel.JAVA_25, true, 2_000_000);
    }

    /**
     * A filter with an explicit JavaParser level ({@code JAVA_17}, {@code JAVA_25}, ...), javac
     * fallback and size cap.
     */
    public static ParsableFilter of(String javaLevel, boolean javacFallback, int maxChars) {
        return of(javaLevel, javacFallback, maxChars, 0, 5_000);
    }

    /**
     * As {@link #of(String, boolean, int)}, with the tree-sitter threshold (a file with more than
     * {@code maxErrors} ERROR/MISSING nodes is broken) and parse timeout.
     */
    public static ParsableFilter of(
            String javaLevel, boolean javacFallback, int maxChars, int maxErrors, long timeoutMillis) {
        ParserConfiguration.LanguageLevel level;
        try {
            level = ParserConfiguration.LanguageLevel.valueOf(javaLevel);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown JavaParser language level '" + javaLevel
                    + "'; e.g. JAVA_17, JAVA_21, JAVA_25, BLEEDING_EDGE");
        }
        return new ParsableFilter(level, javacFallback, maxChars, maxErrors, timeoutMillis, Recheck.AUTO);
    }

    /** A copy with another re-check mode ({@link Recheck#AUTO} by default). */
    public ParsableFilter withRecheck(Recheck mode) {
        return new ParsableFilter(javaLevel, javacFallback, maxChars, maxErrors, timeoutMillis, mode);
    }

    /** The re-check mode. */
    public Recheck recheck() {
        return recheck;
    }

    @Override
    public String name() {
        return "parsable";
    }

    /**
     * Drops a broken file with its language as the reason; keeps the others, with the note {@code
     * unchecked:<language>} or {@code rescued:<checker>} ({@code javac}, {@code node}, {@code
     * python3}) when they apply.
     */
    @Override
    public Verdict test(Document doc) {
        Examined e = examine(doc);
        switch (e.outcome) {
            case BROKEN:
                return Verdict.drop(doc.language());
            case UNCHECKED:
                return Verdict.keep("unchecked:" + doc.language());
            case RESCUED:
                return Verdict.keep("rescued:" + e.checker);
            default:
                return Verdict.KEEP;
        }
    }

    /** Parses the document if its language has a parser. */
    public Outcome check(Document doc) {
        return examine(doc).outcome;
    }

    private Examined examine(Document doc) {
        if (doc.content().length() > maxChars) {
            return Examined.UNCHECKED;
        }
        if ("java".equals(doc.language())) {
            return javaParses(doc);
        }
        if (!treeSitterChecks(doc)) {
            return Examined.UNCHECKED;
        }
        int errors = TreeSitterParsers.get().errorNodes(doc.language(), doc.content(), maxErrors, timeoutMillis);
        if (errors < 0) {
            return Examined.UNCHECKED;
        }
        if (errors <= maxErrors) {
            return Examined.PARSED;
        }
        LanguageChecker checker = recheck == Recheck.AUTO ? LanguageChecker.forLanguage(doc.language()) : null;
        if (checker != null && checker.check(doc.content(), timeoutMillis) == LanguageChecker.Result.ACCEPTED) {
            return new Examined(Outcome.RESCUED, checker.executable);
        }
        return Examined.BROKEN;
    }

    private static boolean treeSitterChecks(Document doc) {
        if (!TreeSitterParsers.get().languages().contains(doc.language())) {
            return false;
        }
        // The TypeScript grammar has no JSX: .tsx needs the tsx grammar, which the jar lacks.
        String path = doc.path();
        return !("typescript".equals(doc.language()) && path != null && path.endsWith(".tsx"));
    }

    /** Whether the language has a parser here (Java always; the tree-sitter ones on Java 23+). */
    public boolean supports(String language) {
        return "java".equals(language) || TreeSitterParsers.get().languages().contains(language);
    }

    /** The languages tree-sitter checks on this JVM (empty below Java 23 or without the natives). */
    public static java.util.Set<String> treeSitterLanguages() {
        return TreeSitterParsers.get().languages();
    }

    private Examined javaParses(Document doc) {
        JavaParser parser = PARSERS.get().computeIfAbsent(javaLevel, l -> {
            ParserConfiguration c = new ParserConfiguration()
                    .setLanguageLevel(l)
                    .setAttributeComments(false)
                    .setStoreTokens(false)
                    .setLexicalPreservationEnabled(false);
            return new JavaParser(c);
        });
        ParseResult<CompilationUnit> r;
        try {
            r = parser.parse(doc.content());
        } catch (RuntimeException | StackOverflowError e) {
            r = null; // a JavaParser bug is not the file's fault: ask javac
        }
        if (r != null && r.isSuccessful()) {
            return Examined.PARSED;
        }
        if (javacFallback
                && JavacSyntaxCheck.available()
                && JavacSyntaxCheck.firstError(doc.path(), doc.content()) == null) {
            return Examined.RESCUED_BY_JAVAC;
        }
        return Examined.BROKEN;
    }

    /** The first syntax error of a Java text by javac, or null; for diagnostics and tests. */
    public static String javacError(String path, String content) {
        if (!JavacSyntaxCheck.available()) {
            throw new IllegalStateException(
                    "this Java runtime has no javac (java.home " + System.getProperty("java.home") + "); run on a JDK");
        }
        return JavacSyntaxCheck.firstError(path, content);
    }

    @Override
    public String toString() {
        return "parsable(java=" + javaLevel + ", javac-fallback=" + javacFallback + ", max-chars=" + maxChars
                + ", max-errors=" + maxErrors + ", timeout-ms=" + timeoutMillis + ", recheck="
                + recheck.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
