package dev.kiln.data.sink;

import dev.kiln.core.Document;
import dev.kiln.core.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parquet shards: {@code part-00000.parquet}, with the columns of a JSONL row: {@code id},
 * {@code content}, {@code path}, {@code language} (strings), {@code licenses} (a list of strings)
 * and {@code metadata} (the metadata object as a JSON string). A new shard starts after {@link
 * #optShardBytes(long)} bytes of row text, as for {@link JsonlSink}; each shard is written under a
 * temporary name and renamed when complete. {@link dev.kiln.data.source.Sources#detect} reads the
 * shards back as the same documents. Local files only: no Hadoop install or file system is used.
 *
 * <pre>{@code
 * Sink sink = Sinks.parquet(Path.of("out")).optCompression("zstd").optShardBytes(128 << 20);
 * }</pre>
 *
 * <p>Immutable: every {@code opt} returns a new sink.
 */
public final class ParquetSink implements Sink {

    /** The schema of kept rows. */
    static final MessageType SCHEMA = schema(false);
    /** The schema of dropped rows: the same with {@code drop_reason}. */
    static final MessageType DROPPED_SCHEMA = schema(true);

    private final Path dir;
    private final String compression;
    private final long shardBytes;
    private final boolean writeDropped;

    ParquetSink(Path dir, String compression, long shardBytes, boolean writeDropped) {
        this.dir = dir;
        this.compression = compression;
        this.shardBytes = shardBytes;
        this.writeDropped = writeDropped;
    }

    private static MessageType schema(boolean dropped) {
        Types.GroupBuilder<MessageType> b = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("id")
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("content")
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("path")
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("language")
                .requiredList()
                .requiredElement(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("licenses")
                .required(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("metadata");
        if (dropped) {
            b = b.required(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType())
                    .named("drop_reason");
        }
        return b.named("kiln_document");
    }

    /** {@code snappy} (default), {@code zstd}, {@code gzip} or {@code none}. */
    public ParquetSink optCompression(String compression) {
        String c = compression == null ? "" : compression.toLowerCase(Locale.ROOT);
        if (!c.equals("snappy") && !c.equals("zstd") && !c.equals("gzip") && !c.equals("none")) {
            throw new IllegalArgumentException(
                    "Parquet compression must be snappy, zstd, gzip or none, got '" + compression + "'");
        }
        return new ParquetSink(dir, c, shardBytes, writeDropped);
    }

    /** Uncompressed bytes of row text per shard (default 256 MiB, at least 1). */
    @Override
    public ParquetSink optShardBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("shard bytes must be >= 1, got " + bytes);
        }
        return new ParquetSink(dir, compression, bytes, writeDropped);
    }

    /** Also write dropped documents under {@code dropped/} with a {@code drop_reason} column. */
    @Override
    public ParquetSink optWriteDropped(boolean writeDropped) {
        return new ParquetSink(dir, compression, shardBytes, writeDropped);
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public String format() {
        return "parquet";
    }

    /** The compression codec of the column chunks. */
    public String compression() {
        return compression;
    }

    /** Bytes after which a new shard is started. */
    public long shardBytes() {
        return shardBytes;
    }

    @Override
    public boolean writeDropped() {
        return writeDropped;
    }

    /** Rows are encoded by the Parquet writer, in order: nothing to do on the workers. */
    @Override
    public byte[] encode(Document doc) {
        return null;
    }

    @Override
    public Writer open() throws IOException {
        Files.createDirectories(dir);
        JsonlSink.clean(dir);
        return new ShardedWriter();
    }

    private CompressionCodecName codec() {
        switch (compression) {
            case "zstd":
                return CompressionCodecName.ZSTD;
            case "gzip":
                return CompressionCodecName.GZIP;
            case "none":
                return CompressionCodecName.UNCOMPRESSED;
            default:
                return CompressionCodecName.SNAPPY;
        }
    }

    private final class ShardedWriter extends ShardRoller.KeptAndDropped<Shards> {
        ShardedWriter() {
            super(dir, new Shards(dir, SCHEMA));
        }

        @Override
        Shards openDropped(Path where) {
            return new Shards(where, DROPPED_SCHEMA);
        }

        @Override
        public void write(Document doc, byte[] encoded) throws IOException {
            kept.write(doc, null);
        }

        @Override
        public void writeDropped(Document doc, String reason) throws IOException {
            dropped().write(doc, reason == null ? "" : reason);
        }
    }

    /** Shards of one directory. */
    private final class Shards extends ShardRoller<ParquetWriter<Group>> {
        private final MessageType schema;
        private final SimpleGroupFactory groups;

        Shards(Path where, MessageType schema) {
            super(dir, where, "parquet", shardBytes);
            this.schema = schema;
            this.groups = new SimpleGroupFactory(schema);
        }

        void write(Document d, String dropReason) throws IOException {
            ParquetWriter<Group> out = writer();
            String metadata = Rows.metadataJson(d);
            Group g = groups.newGroup()
                    .append("id", d.id())
                    .append("content", d.content())
                    .append("path", d.path())
                    .append("language", d.language())
                    .append("metadata", metadata);
            Group list = g.addGroup("licenses");
            long rowBytes = Document.utf8Length(d.id())
                    + Document.utf8Length(d.content())
                    + Document.utf8Length(d.path())
                    + Document.utf8Length(d.language())
                    + Document.utf8Length(metadata);
            for (String l : d.licenses()) {
                list.addGroup("list").append("element", l);
                rowBytes += Document.utf8Length(l);
            }
            if (dropReason != null) {
                g.append("drop_reason", dropReason);
            }
            out.write(g);
            wrote(rowBytes);
        }

        @Override
        ParquetWriter<Group> open(AtomicFiles.Output file) throws IOException {
            return ExampleParquetWriter.builder(new StreamOutputFile(file))
                    .withType(schema)
                    .withCompressionCodec(codec())
                    .build();
        }
    }

    /** A Parquet output over a temporary file of {@link AtomicFiles}; closing only flushes. */
    private static final class StreamOutputFile implements OutputFile {
        private final AtomicFiles.Output file;

        StreamOutputFile(AtomicFiles.Output file) {
            this.file = file;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            OutputStream s = new BufferedOutputStream(file.stream(), 1 << 16);
            return new PositionOutputStream() {
                private long pos;

                @Override
                public long getPos() {
                    return pos;
                }

                @Override
                public void write(int b) throws IOException {
                    s.write(b);
                    pos++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    s.write(b, off, len);
                    pos += len;
                }

                @Override
                public void flush() throws IOException {
                    s.flush();
                }

                @Override
                public void close() throws IOException {
                    s.flush();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return file.target().toString();
        }
    }

    @Override
    public String toString() {
        return "parquet sink " + dir + " (" + compression + ", shards of " + shardBytes + " bytes)";
    }
}
