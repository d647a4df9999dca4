package dev.kiln.tokenize.shard;

import dev.kiln.core.progress.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Cuts a split's token stream into rows of {@code seqLen + 1} tokens (consecutive rows share one
 * token) and writes them as Arrow files of at most {@code rowsPerFile} rows, reading the documents'
 * tokens from the temporary token file.
 */
final class RowPacker {

    private final Path output;
    private final int seqLen;
    private final long rowsPerFile;
    private final FileChannel ch;
    private final BufferAllocator allocator;
    private final int batchRows;

    RowPacker(Path output, int seqLen, long rowsPerFile, FileChannel ch, BufferAllocator allocator) {
        this.output = output;
        this.seqLen = seqLen;
        this.rowsPerFile = rowsPerFile;
        this.ch = ch;
        this.allocator = allocator;
        this.batchRows = Math.max(1, (8 << 20) / ((seqLen + 1) * 4));
    }

    /** Packs documents {@code selected[from, to)}; returns {rows, tokens in rows, dropped tokens}. */
    long[] pack(
            String split,
            int[] selected,
            int from,
            int to,
            long[] offsets,
            int[] lengths,
            List<String> files,
            Progress progress)
            throws IOException {
        int rowLength = seqLen + 1;
        int[] row = new int[rowLength];
        int fill = 0;
        long rows = 0;
        long streamTokens = 0;
        ArrowRows writer = null;
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int k = from; k < to; k++) {
                int d = selected[k];
                long pos = offsets[d] * 4L;
                long remaining = lengths[d] * 4L;
                streamTokens += lengths[d];
                while (remaining > 0) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), remaining));
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, pos + buf.position());
                        if (r < 0) {
                            throw new IOException("temporary token file " + ch + " ended early");
                        }
                    }
                    buf.flip();
                    pos += buf.limit();
                    remaining -= buf.limit();
                    while (buf.hasRemaining()) {
                        row[fill++] = buf.getInt();
                        if (fill == rowLength) {
                            if (writer == null || writer.rows >= rowsPerFile) {
                                if (writer != null) {
                                    writer.close();
                                }
                                String name = String.format("%s-%05d.arrow", split, files.size());
                                files.add(name);
                                writer = new ArrowRows(output.resolve(name), rowLength, batchRows, allocator);
                            }
                            writer.add(row);
                            rows++;
                            row[0] = row[seqLen];
                            fill = 1;
                        }
                    }
                }
                progress.advance(1);
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        long inRows = rows == 0 ? 0 : rows * seqLen + 1;
        return new long[] {rows, inRows, streamTokens - inRows};
    }
}
