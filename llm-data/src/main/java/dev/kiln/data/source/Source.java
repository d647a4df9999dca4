package dev.kiln.data.source;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Where documents come from: a directory, an archive, a JSONL file, a Maven sources jar, an npm
 * tarball. A source emits {@link SourceItem}s in a deterministic order (sorted directory entries,
 * archive order, line order); the pipeline decodes them to documents in parallel.
 *
 * <p>Problems with single items (a corrupt entry, an unreadable file) are emitted as items with a
 * reason, never thrown: a run completes and counts them. Only a problem with the source as a whole
 * that makes it unusable (its root disappeared) throws.
 *
 * <pre>{@code
 * Source s = Sources.detect(Path.of("repos"));
 * s.read(ReadOptions.DEFAULTS, item -> System.out.println(item.path()));
 * }</pre>
 */
public interface Source {

    /** What the source reads, e.g. its path; used in document ids and reports. */
    String name();

    /** Emits every item, in order. */
    void read(ReadOptions options, Consumer<SourceItem> out) throws IOException;

    /**
     * About how many items {@link #read} will emit, when cheap to know (a zip's central
     * directory), for progress ETAs; -1 when unknown.
     */
    default long estimatedItems() {
        return -1;
    }
}
