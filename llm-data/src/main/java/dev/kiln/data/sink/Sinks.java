package dev.kiln.data.sink;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Sink factories.
 *
 * <pre>{@code
 * Sink plain = Sinks.jsonl(Path.of("out"));
 * Sink zst = Sinks.of(Path.of("out"), "jsonl.zst");
 * Sink parquet = Sinks.parquet(Path.of("out")).optShardBytes(64 << 20);
 * }</pre>
 */
public final class Sinks {

    /** Default shard size: 256 MiB of rows. */
    public static final long DEFAULT_SHARD_BYTES = 256L << 20;

    private Sinks() {}

    /** Plain JSONL shards in {@code dir}. */
    public static JsonlSink jsonl(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("output directory must not be null");
        }
        return new JsonlSink(dir, "none", DEFAULT_SHARD_BYTES, false, 3);
    }

    /** Parquet shards ({@code part-00000.parquet}, Snappy-compressed) in {@code dir}. */
    public static ParquetSink parquet(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("output directory must not be null");
        }
        return new ParquetSink(dir, "snappy", DEFAULT_SHARD_BYTES, false);
    }

    /** A sink by format name: {@code jsonl}, {@code jsonl.gz}, {@code jsonl.zst} or {@code parquet}. */
    public static Sink of(Path dir, String format) {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        switch (f) {
            case "jsonl":
                return jsonl(dir);
            case "jsonl.gz":
                return jsonl(dir).optCompression("gz");
            case "jsonl.zst":
                return jsonl(dir).optCompression("zst");
            case "parquet":
                return parquet(dir);
            default:
                throw new IllegalArgumentException(
                        "unknown output format '" + format + "'; use jsonl, jsonl.gz, jsonl.zst or parquet");
        }
    }
}
