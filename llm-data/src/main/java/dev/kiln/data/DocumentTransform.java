package dev.kiln.data;

import dev.kiln.core.Document;

/**
 * Returns a new {@link Document} from one (redacted content, added metadata, detected licenses).
 * Pure: the same input always gives the same output.
 */
public interface DocumentTransform extends Stage {

    /** The document rewritten (or {@code doc} itself when nothing changes). */
    Document apply(Document doc);

    /** A transform from a name and a (serializable) function. */
    static DocumentTransform of(String name, DocumentFilter.SerializableFunction<Document, Document> fn) {
        return new DocumentTransform() {
            private static final long serialVersionUID = 1L;

            @Override
            public String name() {
                return name;
            }

            @Override
            public Document apply(Document doc) {
                return fn.apply(doc);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
