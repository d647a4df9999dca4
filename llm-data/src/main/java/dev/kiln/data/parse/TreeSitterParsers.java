package dev.kiln.data.parse;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tree-sitter side of the {@code parsable} stage. The implementation ({@code TreeSitterChecker})
 * uses jtreesitter (FFM) and lives in the jar's Java 23 multi-release section; on an older JVM, or
 * when the native libraries cannot be loaded, {@link #get()} returns {@link #NONE} and those
 * languages pass through unchecked.
 */
interface TreeSitterParsers {

    /** No tree-sitter: every language unchecked. */
    TreeSitterParsers NONE = new TreeSitterParsers() {
        @Override
        public Set<String> languages() {
            return Set.of();
        }

        @Override
        public int errorNodes(String language, String content, int stopAfter, long timeoutMillis) {
            return -1;
        }
    };

    /** Kiln language names with a grammar here. */
    Set<String> languages();

    /**
     * Parses {@code content} as {@code language} and counts its ERROR and MISSING nodes, stopping
     * the count once it exceeds {@code stopAfter}. Returns -1 when the text was not checked (no
     * grammar, or the parse took longer than {@code timeoutMillis}).
     */
    int errorNodes(String language, String content, int stopAfter, long timeoutMillis);

    /** The implementation for this JVM (loaded once). */
    static TreeSitterParsers get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: loads the Java 23 class reflectively. */
    final class Holder {
        private static final Logger LOG = LoggerFactory.getLogger(TreeSitterParsers.class);
        static final TreeSitterParsers INSTANCE = load();

        private Holder() {}

        private static TreeSitterParsers load() {
            if (Runtime.version().feature() < 23) {
                LOG.debug("tree-sitter needs Java 23+ (running {}): non-Java languages unchecked", Runtime.version());
                return NONE;
            }
            try {
                Class<?> c = Class.forName("dev.kiln.data.parse.TreeSitterChecker");
                return (TreeSitterParsers) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                LOG.warn(
                        "tree-sitter unavailable ({}): non-Java languages pass the parsable stage unchecked",
                        e.toString());
                return NONE;
            }
        }
    }
}
