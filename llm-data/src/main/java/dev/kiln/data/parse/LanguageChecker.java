package dev.kiln.data.parse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A language's own syntax checker, run as a process on a file tree-sitter rejected, so that a gap
 * in a tree-sitter grammar does not drop valid code (as javac re-checks JavaParser's rejects).
 *
 * <ul>
 *   <li>JavaScript: {@code node --check} on the text as a script (CommonJS), then, when the text
 *       mentions {@code import}, {@code export} or {@code await}, as an ES module ({@code
 *       --input-type=module}): module code only adds those forms to script syntax.
 *   <li>Python: {@code python3 -I -S} compiling the text with {@code compile(..., 'exec')}: a
 *       syntax check that writes nothing (no {@code .pyc}) and runs none of the file.
 * </ul>
 *
 * <p>The text goes to the checker's standard input from a private temporary file (deleted after),
 * never on a command line. Each run has a timeout. A checker that is not on the PATH or fails to
 * start is reported once at WARN and not tried again in this JVM: the tree-sitter verdict stands.
 */
final class LanguageChecker {

    /** {@code node --check}, for JavaScript. */
    static final LanguageChecker NODE = new LanguageChecker("javascript", "node");
    /** {@code python3}'s compiler, for Python. */
    static final LanguageChecker PYTHON = new LanguageChecker("python", "python3");

    private static final String PYTHON_COMPILE = "import sys\n"
            + "compile(sys.stdin.buffer.read().decode('utf-8', 'surrogateescape'), '<kiln>', 'exec', dont_inherit=True)\n";

    /** What a re-check found. */
    enum Result {
        /** The checker accepts the text. */
        ACCEPTED,
        /** The checker rejects it (or crashed on it). */
        REJECTED,
        /** No answer: the checker is absent, failed to start, or timed out. */
        UNKNOWN
    }

    private static final Logger LOG = LoggerFactory.getLogger(LanguageChecker.class);

    /** The Kiln language it checks. */
    final String language;
    /** The program looked up on the PATH. */
    final String executable;

    private final AtomicBoolean unavailable = new AtomicBoolean();

    /** A checker of {@code language} ({@code javascript} or {@code python}) run as {@code executable}. */
    LanguageChecker(String language, String executable) {
        if (!language.equals("javascript") && !language.equals("python")) {
            throw new IllegalArgumentException("no syntax checker for '" + language + "'");
        }
        this.language = language;
        this.executable = executable;
    }

    /** The command lines to try in turn; the text is accepted when one of them exits with 0. */
    List<List<String>> commands(String content) {
        if (language.equals("python")) {
            return List.of(List.of(executable, "-I", "-S", "-c", PYTHON_COMPILE));
        }
        List<List<String>> c = new ArrayList<>();
        c.add(List.of(executable, "--check", "-"));
        if (content.contains("import") || content.contains("export") || content.contains("await")) {
            c.add(List.of(executable, "--check", "--input-type=module", "-"));
        }
        return c;
    }

    /** The checker for a language, or null when it has none. */
    static LanguageChecker forLanguage(String language) {
        if ("javascript".equals(language)) {
            return NODE;
        }
        return "python".equals(language) ? PYTHON : null;
    }

    /** Whether a start of this checker already failed in this JVM. */
    boolean knownUnavailable() {
        return unavailable.get();
    }

    /** Checks {@code content}; each process gets {@code timeoutMillis}. */
    Result check(String content, long timeoutMillis) {
        if (unavailable.get()) {
            return Result.UNKNOWN;
        }
        Path input = null;
        try {
            input = Files.createTempFile("kiln-recheck-", ".txt"); // owner-only on POSIX
            Files.writeString(input, content, StandardCharsets.UTF_8);
            for (List<String> command : commands(content)) {
                Result r = run(command, input, timeoutMillis);
                if (r != Result.REJECTED) {
                    return r;
                }
            }
            return Result.REJECTED;
        } catch (IOException e) {
            LOG.debug("{} re-check: cannot write its input ({})", executable, e.toString());
            return Result.UNKNOWN;
        } finally {
            if (input != null) {
                try {
                    Files.deleteIfExists(input);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", input, e.toString());
                }
            }
        }
    }

    private Result run(List<String> command, Path input, long timeoutMillis) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectInput(input.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | RuntimeException e) {
            if (unavailable.compareAndSet(false, true)) {
                LOG.warn(
                        "'{}' could not be started ({}): {} files tree-sitter rejects are dropped without a re-check;"
                                + " put {} on the PATH, or set the parsable option recheck: off",
                        executable,
                        e.getMessage(),
                        language,
                        executable);
            }
            return Result.UNKNOWN;
        }
        try {
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.debug("{} re-check timed out after {} ms", executable, timeoutMillis);
                return Result.UNKNOWN;
            }
            return p.exitValue() == 0 ? Result.ACCEPTED : Result.REJECTED;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Result.UNKNOWN;
        }
    }
}
