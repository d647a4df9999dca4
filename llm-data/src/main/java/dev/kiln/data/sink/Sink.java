package dev.kiln.data.sink;

import dev.kiln.core.Document;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where kept documents go: a dataset directory of shards. {@link dev.kiln.data.Corpus#write(Sink)}
 * opens it, writes rows in input order, finishes it, then adds {@code report.json}, {@code
 * report.html}, the dataset card {@code README.md} and, last, {@code manifest.json}.
 *
 * <pre>{@code
 * Sink sink = Sinks.jsonl(Path.of("out")).optCompression("zst").optShardBytes(256 << 20);
 * }</pre>
 */
public interface Sink {

    /** The dataset directory. */
    Path directory();

    /** The format name, e.g. {@code jsonl.zst}; shards are {@code part-00000.<format>}. */
    String format();

    /** Whether dropped documents are also written, under {@code dropped/} with a {@code drop_reason}. */
    boolean writeDropped();

    /** The same sink with shards of about {@code bytes} uncompressed bytes of rows (at least 1). */
    Sink optShardBytes(long bytes);

    /** The same sink, also writing dropped documents under {@code dropped/} (or not). */
    Sink optWriteDropped(boolean writeDropped);

    /**
     * A thread-safe encoding of one row, or {@code null} when the sink encodes rows as it writes
     * them; the pipeline calls it on its workers.
     */
    byte[] encode(Document doc);

    /**
     * Prepares the directory (removing the output of an earlier run, manifest first) and opens
     * the first shard.
     */
    Writer open() throws IOException;

    /** One shard file. */
    record Shard(String file, long documents, long bytes) {}

    /** Writes rows in order; {@link #finish()} completes the last shard, {@link #close()} without it removes partial files. */
    interface Writer extends AutoCloseable {

        /** Writes a kept document, {@code encoded} by {@link Sink#encode}. */
        void write(Document doc, byte[] encoded) throws IOException;

        /** Writes a dropped document with its reason (only when {@link Sink#writeDropped()}). */
        void writeDropped(Document doc, String reason) throws IOException;

        /** Completes the shards and returns them, in order. */
        List<Shard> finish() throws IOException;

        @Override
        void close() throws IOException;
    }
}
