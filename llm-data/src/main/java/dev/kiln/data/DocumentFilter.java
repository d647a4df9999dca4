package dev.kiln.data;

import dev.kiln.core.Document;

/**
 * Keeps or drops a document, with a reason. Pure: the same document always gets the same verdict.
 *
 * <pre>{@code
 * DocumentFilter notEmpty = DocumentFilter.of("not-empty", d -> d.content().isBlank() ? Verdict.drop("empty") : Verdict.KEEP);
 * }</pre>
 */
public interface DocumentFilter extends Stage {

    /** Keep or drop {@code doc}; a drop carries the reason counted in the pipeline report. */
    Verdict test(Document doc);

    /** A filter from a name and a (serializable) function. */
    static DocumentFilter of(String name, SerializableFunction<Document, Verdict> fn) {
        return new DocumentFilter() {
            private static final long serialVersionUID = 1L;

            @Override
            public String name() {
                return name;
            }

            @Override
            public Verdict test(Document doc) {
                return fn.apply(doc);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A {@link java.util.function.Function} that Spark can serialize. */
    @FunctionalInterface
    interface SerializableFunction<T, R> extends java.util.function.Function<T, R>, java.io.Serializable {}
}
