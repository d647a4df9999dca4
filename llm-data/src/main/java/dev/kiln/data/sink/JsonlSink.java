package dev.kiln.data.sink;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kiln.core.Document;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Manifest;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * JSON Lines shards: {@code part-00000.jsonl[.gz|.zst]}, a new shard after {@link
 * #optShardBytes(long)} bytes of rows (uncompressed, so shard boundaries do not depend on the
 * compressor). Each shard is written under a temporary name and renamed when complete, so an
 * interrupted run never leaves a shard that looks complete; a rerun removes the old output first
 * (its {@code manifest.json} before anything else).
 *
 * <pre>{@code
 * JsonlSink sink = Sinks.jsonl(Path.of("out")).optCompression("gz").optShardBytes(64 << 20).optWriteDropped(true);
 * }</pre>
 *
 * <p>Immutable: every {@code opt} returns a new sink.
 */
public final class JsonlSink implements Sink {

    private final Path dir;
    private final String compression;
    private final long shardBytes;
    private final boolean writeDropped;
    private final int zstdLevel;

    JsonlSink(Path dir, String compression, long shardBytes, boolean writeDropped, int zstdLevel) {
        this.dir = dir;
        this.compression = compression;
        this.shardBytes = shardBytes;
        this.writeDropped = writeDropped;
        this.zstdLevel = zstdLevel;
    }

    /** {@code none} (default), {@code gz} or {@code zst}. */
    public JsonlSink optCompression(String compression) {
        String c = compression == null ? "" : compression.toLowerCase(Locale.ROOT);
        if (!c.equals("none") && !c.equals("gz") && !c.equals("zst")) {
            throw new IllegalArgumentException("JSONL compression must be none, gz or zst, got '" + compression + "'");
        }
        return new JsonlSink(dir, c, shardBytes, writeDropped, zstdLevel);
    }

    /** Uncompressed bytes of rows per shard (default 256 MiB, at least 1). */
    @Override
    public JsonlSink optShardBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("shard bytes must be >= 1, got " + bytes);
        }
        return new JsonlSink(dir, compression, bytes, writeDropped, zstdLevel);
    }

    /** Also write dropped documents under {@code dropped/} with a {@code drop_reason} field. */
    @Override
    public JsonlSink optWriteDropped(boolean writeDropped) {
        return new JsonlSink(dir, compression, shardBytes, writeDropped, zstdLevel);
    }

    /** zstd level, 1..19 (default 3). */
    public JsonlSink optZstdLevel(int level) {
        if (level < 1 || level > 19) {
            throw new IllegalArgumentException("zstd level must be in 1..19, got " + level);
        }
        return new JsonlSink(dir, compression, shardBytes, writeDropped, level);
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public String format() {
        return compression.equals("none") ? "jsonl" : "jsonl." + compression;
    }

    /** Bytes after which a new shard is started. */
    public long shardBytes() {
        return shardBytes;
    }

    @Override
    public boolean writeDropped() {
        return writeDropped;
    }

    @Override
    public byte[] encode(Document doc) {
        return Rows.jsonLine(doc, null);
    }

    @Override
    public Writer open() throws IOException {
        Files.createDirectories(dir);
        clean(dir);
        return new ShardedWriter();
    }

    /** Removes what a previous run left: the manifest first, then shards, reports, temporaries. */
    static void clean(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(Manifest.FILE_NAME));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith("part-")
                        || n.startsWith(AtomicFiles.TMP_PREFIX)
                        || n.equals("report.json")
                        || n.equals("report.html")
                        || n.equals("README.md")
                        || n.equals("duplicates.jsonl")
                        || n.equals("dropped")
                        || n.equals(".kiln-work")) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        }
    }

    private final class ShardedWriter extends ShardRoller.KeptAndDropped<Shards> {
        ShardedWriter() {
            super(dir, new Shards(dir));
        }

        @Override
        Shards openDropped(Path where) {
            return new Shards(where);
        }

        @Override
        public void write(Document doc, byte[] encoded) throws IOException {
            kept.write(encoded == null ? encode(doc) : encoded);
        }

        @Override
        public void writeDropped(Document doc, String reason) throws IOException {
            dropped().write(Rows.jsonLine(doc, reason));
        }
    }

    /** Shards of one directory. */
    private final class Shards extends ShardRoller<OutputStream> {
        Shards(Path where) {
            super(dir, where, format(), shardBytes);
        }

        void write(byte[] row) throws IOException {
            writer().write(row);
            wrote(row.length);
        }

        @Override
        OutputStream open(AtomicFiles.Output file) throws IOException {
            OutputStream shield = new FilterOutputStream(file.stream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    this.out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            OutputStream s = new BufferedOutputStream(shield, 1 << 16);
            if (compression.equals("gz")) {
                s = new GZIPOutputStream(s, 1 << 16);
            } else if (compression.equals("zst")) {
                s = new ZstdOutputStream(s, zstdLevel);
            }
            return new BufferedOutputStream(s, 1 << 16);
        }
    }

    @Override
    public String toString() {
        return "jsonl sink " + dir + " (" + format() + ", shards of " + shardBytes + " bytes)";
    }
}
