package dev.kiln.data.sink;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Sink factories.
 *
 * <pre>{@code
 * Sink plain = Sinks.jsonl(Path.of("out"));
 * Sink zst = Sinks.of(Path.of("out"), "jsonl.zst");
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

    /**
     * A sink by format name: {@code jsonl}, {@code jsonl.gz}, {@code jsonl.zst} ({@code parquet} is
     * not available yet).
     */
    public static JsonlSink of(Path dir, String format) {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        switch (f) {
            case "jsonl":
                return jsonl(dir);
            case "jsonl.gz":
                return jsonl(dir).optCompression("gz");
            case "jsonl.zst":
                return jsonl(dir).optCompression("zst");
            case "parquet":
                throw new IllegalArgumentException(
                        "the Parquet sink is not available yet; use jsonl, jsonl.gz or jsonl.zst");
            default:
                throw new IllegalArgumentException(
                        "unknown output format '" + format + "'; use jsonl, jsonl.gz or jsonl.zst");
        }
    }
}
