package dev.kiln.data.sink;

import dev.kiln.core.io.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rows of one directory rolled over numbered shards {@code part-NNNNN.EXT}: each shard is written to
 * a temporary file and renamed into place when it reaches {@code shardBytes} or at the end, so a
 * reader never sees a partial shard. Subclasses open the format's writer over a shard file and
 * report each row's size through {@link #wrote}.
 *
 * @param <W> the format's writer; closing it must finish the shard's bytes (footer, compressor)
 *     without closing the file
 */
abstract class ShardRoller<W extends Closeable> {
    private final Path dataset;
    private final Path where;
    private final String extension;
    private final long shardBytes;
    private final List<Sink.Shard> done = new ArrayList<>();
    private AtomicFiles.Output current;
    private W out;
    private long bytes;
    private long docs;

    /**
     * @param dataset the dataset directory (shards under {@code dataset/dropped} are listed as {@code
     *     dropped/part-...})
     * @param where the directory the shards go to
     */
    ShardRoller(Path dataset, Path where, String extension, long shardBytes) {
        this.dataset = dataset;
        this.where = where;
        this.extension = extension;
        this.shardBytes = shardBytes;
    }

    /** The format's writer over a new shard file. */
    abstract W open(AtomicFiles.Output file) throws IOException;

    /** The writer of the current shard, opening the next shard when none is open. */
    final W writer() throws IOException {
        if (current == null) {
            String name = String.format(Locale.ROOT, "part-%05d.%s", done.size(), extension);
            current = AtomicFiles.open(where.resolve(name));
            out = open(current);
            bytes = 0;
            docs = 0;
        }
        return out;
    }

    /** Counts a row of {@code rowBytes} written through {@link #writer()}; commits a full shard. */
    final void wrote(long rowBytes) throws IOException {
        bytes += rowBytes;
        docs++;
        if (bytes >= shardBytes) {
            commit();
        }
    }

    private void commit() throws IOException {
        out.close(); // finishes the format's bytes; the file stays open for the commit
        current.commit();
        String name = current.target().getFileName().toString();
        done.add(new Sink.Shard(where.equals(dataset) ? name : "dropped/" + name, docs, bytes));
        current = null;
        out = null;
    }

    /** Commits the open shard and lists every shard written. */
    final List<Sink.Shard> finish() throws IOException {
        if (current != null) {
            commit();
        }
        return List.copyOf(done);
    }

    /** Discards the open shard (its temporary file is removed). */
    final void abort() throws IOException {
        if (current != null) {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                // being discarded anyway
            }
            current.close();
            current = null;
        }
    }

    /**
     * A {@link Sink.Writer} over two rollers: kept documents in the dataset directory and, opened on
     * the first one, dropped documents under {@code dropped/}.
     */
    abstract static class KeptAndDropped<S extends ShardRoller<?>> implements Sink.Writer {
        final S kept;
        private final Path dataset;
        private S dropped;

        KeptAndDropped(Path dataset, S kept) {
            this.dataset = dataset;
            this.kept = kept;
        }

        /** A roller for the dropped documents' directory. */
        abstract S openDropped(Path where);

        /** The roller of dropped documents, opened on first use. */
        final S dropped() {
            if (dropped == null) {
                dropped = openDropped(dataset.resolve("dropped"));
            }
            return dropped;
        }

        @Override
        public final List<Sink.Shard> finish() throws IOException {
            if (dropped != null) {
                dropped.finish();
            }
            return kept.finish();
        }

        @Override
        public final void close() throws IOException {
            try {
                kept.abort();
            } finally {
                if (dropped != null) {
                    dropped.abort();
                }
            }
        }
    }
}
