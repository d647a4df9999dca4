package dev.kiln.data.source;

import java.io.Serializable;

/**
 * Limits that keep hostile input harmless: file size (The Stack skipped files over 1 MB), JSONL
 * record size, decompression ratio and total bytes of an archive (zip bombs).
 *
 * <pre>{@code
 * ReadOptions o = ReadOptions.builder().optMaxFileBytes(2 << 20).build();
 * }</pre>
 */
public final class ReadOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The defaults: 1 MiB files, 64 MiB records, ratio 100, 64 GiB per archive. */
    public static final ReadOptions DEFAULTS = builder().build();

    private final long maxFileBytes;
    private final int maxRecordBytes;
    private final double maxCompressionRatio;
    private final long maxArchiveBytes;

    private ReadOptions(Builder b) {
        this.maxFileBytes = b.maxFileBytes;
        this.maxRecordBytes = b.maxRecordBytes;
        this.maxCompressionRatio = b.maxCompressionRatio;
        this.maxArchiveBytes = b.maxArchiveBytes;
    }

    /** A builder with the defaults (1 MiB files, as The Stack; 64 MiB records; ratio 100; 64 GiB archives). */
    public static Builder builder() {
        return new Builder();
    }

    /** Files (and archive entries) larger than this are dropped as {@code read:too-large}. */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /** JSONL lines longer than this are errors ({@code read:record-too-large}). */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** An archive entry that inflates more than this many times and past {@link #maxFileBytes()} is a zip bomb. */
    public double maxCompressionRatio() {
        return maxCompressionRatio;
    }

    /** Decompressed bytes read from one archive at most; the rest is an error ({@code read:archive-too-large}). */
    public long maxArchiveBytes() {
        return maxArchiveBytes;
    }

    /** Builder of {@link ReadOptions}. */
    public static final class Builder {
        private long maxFileBytes = 1 << 20;
        private int maxRecordBytes = 64 << 20;
        private double maxCompressionRatio = 100;
        private long maxArchiveBytes = 64L << 30;

        private Builder() {}

        /** Files larger than this are dropped as {@code too-large} before decoding (default 1 MiB). */
        public Builder optMaxFileBytes(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxFileBytes must be in [1, 2^31-17], got " + bytes);
            }
            this.maxFileBytes = bytes;
            return this;
        }

        /** The largest JSONL record read, >= 16; a longer one is an error, not a truncation (default 64 MiB). */
        public Builder optMaxRecordBytes(int bytes) {
            if (bytes < 16) {
                throw new IllegalArgumentException("maxRecordBytes must be >= 16, got " + bytes);
            }
            this.maxRecordBytes = bytes;
            return this;
        }

        /** The most an archive entry may expand over its compressed size, >= 1: a zip bomb stops here (default 100). */
        public Builder optMaxCompressionRatio(double ratio) {
            if (!(ratio >= 1)) {
                throw new IllegalArgumentException("maxCompressionRatio must be >= 1, got " + ratio);
            }
            this.maxCompressionRatio = ratio;
            return this;
        }

        /** The most bytes read out of one archive in all (default 64 GiB). */
        public Builder optMaxArchiveBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxArchiveBytes must be >= 1, got " + bytes);
            }
            this.maxArchiveBytes = bytes;
            return this;
        }

        /** The options with the limits given. */
        public ReadOptions build() {
            return new ReadOptions(this);
        }
    }
}
