package dev.kiln.tokenize.shard;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Manifest;
import dev.kiln.tokenize.BpeTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;

/**
 * Random access to the rows of a shards directory written by {@link TokenShardWriter}, by
 * memory-mapping the Arrow IPC files (zero-copy: Arrow Java's reader would copy every buffer).
 *
 * <pre>{@code
 * try (TokenDataset train = TokenDataset.open(Path.of("shards"), "train", tokenizer)) {
 *     int[] row = new int[train.rowLength()];          // seqLen + 1
 *     for (long i : batchIndices) {
 *         train.read(i, row);                          // inputs row[0..seqLen), targets row[1..seqLen]
 *     }
 * }
 * }</pre>
 *
 * <p>The Arrow footer lists each record batch's block; the batch's message gives the offset of the
 * {@code tokens} values buffer inside the body, which is mapped read-only as little-endian ints.
 * Thread-safe: reads use absolute positions.
 */
public final class TokenDataset implements AutoCloseable {

    private final Path dir;
    private final String split;
    private final Manifest manifest;
    private final int rowLength;
    private final IntBuffer[] batches;
    private final long[] batchStart; // first row of each batch, plus the total at the end
    private final List<FileChannel> channels = new ArrayList<>();

    private TokenDataset(Path dir, String split, Manifest manifest) throws IOException {
        this.dir = dir;
        this.split = split;
        this.manifest = manifest;
        Path mf = dir.resolve(Manifest.FILE_NAME);
        Object rl = manifest.properties().get("row_length");
        if (!(rl instanceof Number)) {
            throw new CorruptArtifactException(mf, "has no integer 'row_length'");
        }
        this.rowLength = ((Number) rl).intValue();
        Object filesObj = manifest.properties().get("files");
        if (!(filesObj instanceof Map) || !(((Map<?, ?>) filesObj).get(split) instanceof List)) {
            throw new CorruptArtifactException(mf, "has no file list for split '" + split + "'");
        }
        List<IntBuffer> bufs = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        long rows = 0;
        try {
            for (Object name : (List<?>) ((Map<?, ?>) filesObj).get(split)) {
                Path f = dir.resolve(String.valueOf(name));
                FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                channels.add(ch);
                for (long[] b : valueBuffers(f, ch, rowLength)) {
                    long n = b[2];
                    if (n == 0) {
                        continue;
                    }
                    ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, b[0], b[1]);
                    bufs.add(mapped.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer());
                    starts.add(rows);
                    rows += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        this.batches = bufs.toArray(new IntBuffer[0]);
        this.batchStart = new long[starts.size() + 1];
        for (int i = 0; i < starts.size(); i++) {
            batchStart[i] = starts.get(i);
        }
        batchStart[starts.size()] = rows;
    }

    /**
     * Opens split {@code split} ({@code train} or {@code val}) of {@code dir}, checking that it was
     * written with {@code tokenizer}.
     *
     * @throws CorruptArtifactException when the manifest or a file is malformed, or the shards were
     *     written with another tokenizer (both hashes named)
     */
    public static TokenDataset open(Path dir, String split, BpeTokenizer tokenizer) throws IOException {
        return open(dir, split, tokenizer.hash());
    }

    /** As {@link #open(Path, String, BpeTokenizer)}, with the expected tokenizer hash (null: no check). */
    public static TokenDataset open(Path dir, String split, String tokenizerHash) throws IOException {
        Manifest m = Manifest.read(dir, TokenShardWriter.KIND);
        Object h = m.properties().get("tokenizer_hash");
        if (tokenizerHash != null && !tokenizerHash.equals(h)) {
            throw new CorruptArtifactException(
                    dir.resolve(Manifest.FILE_NAME),
                    "shards were written with tokenizer " + h + ", but the given tokenizer is " + tokenizerHash
                            + " (re-tokenize, or use the tokenizer the shards were made with)");
        }
        return new TokenDataset(dir, split, m);
    }

    /**
     * {offset, length, rows} of the {@code tokens} values buffer of every record batch of an Arrow
     * IPC file, from its footer.
     */
    static List<long[]> valueBuffers(Path f, FileChannel ch, int rowLength) throws IOException {
        long size = ch.size();
        byte[] magic = "ARROW1".getBytes(StandardCharsets.US_ASCII);
        if (size < 6 + 2 + 4 + 6) {
            throw new CorruptArtifactException(f, "too short for an Arrow IPC file (" + size + " bytes)");
        }
        ByteBuffer tail = read(ch, size - 10, 10);
        int footerLen = tail.getInt(0);
        byte[] m = new byte[6];
        tail.position(4);
        tail.get(m);
        if (!Arrays.equals(m, magic) || footerLen <= 0 || footerLen > size - 18) {
            throw new CorruptArtifactException(f, "not an Arrow IPC file (no ARROW1 footer); truncated?");
        }
        Footer footer = Footer.getRootAsFooter(read(ch, size - 10 - footerLen, footerLen));
        List<long[]> out = new ArrayList<>();
        Block block = new Block();
        for (int i = 0; i < footer.recordBatchesLength(); i++) {
            footer.recordBatches(block, i);
            long offset = block.offset();
            int metaLen = block.metaDataLength();
            ByteBuffer meta = read(ch, offset, metaLen);
            int start = 0;
            if (meta.getInt(0) == -1) {
                start = 8; // continuation marker, then the flatbuffer length
            } else {
                start = 4;
            }
            meta.position(start);
            Message msg = Message.getRootAsMessage(meta.slice().order(ByteOrder.LITTLE_ENDIAN));
            if (msg.headerType() != MessageHeader.RecordBatch) {
                throw new CorruptArtifactException(f, "block " + i + " is not a record batch");
            }
            RecordBatch rb = (RecordBatch) msg.header(new RecordBatch());
            if (rb.compression() != null) {
                throw new CorruptArtifactException(f, "compressed record batches cannot be memory-mapped");
            }
            if (rb.buffersLength() != 3) {
                throw new CorruptArtifactException(
                        f,
                        "record batch " + i + " has " + rb.buffersLength()
                                + " buffers, expected 3 (one FixedSizeList<int32> column)");
            }
            long rows = rb.length();
            long bytes = rows * rowLength * 4L;
            org.apache.arrow.flatbuf.Buffer values = rb.buffers(2);
            if (values.length() < bytes) {
                throw new CorruptArtifactException(
                        f,
                        "record batch " + i + " holds " + values.length() + " value bytes, expected " + bytes + " for "
                                + rows + " rows of " + rowLength + " tokens");
            }
            long bodyStart = offset + metaLen;
            if (bodyStart + values.offset() + bytes > size) {
                throw new CorruptArtifactException(f, "record batch " + i + " runs past the end of the file");
            }
            out.add(new long[] {bodyStart + values.offset(), bytes, rows});
        }
        return out;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        b.flip();
        return b;
    }

    /** Number of rows. */
    public long size() {
        return batchStart[batchStart.length - 1];
    }

    /** Tokens per row ({@code seqLen + 1}). */
    public int rowLength() {
        return rowLength;
    }

    /** The model context length the rows were packed for ({@code rowLength() - 1}). */
    public int seqLen() {
        return rowLength - 1;
    }

    /** The manifest of the shards directory. */
    public Manifest manifest() {
        return manifest;
    }

    /** Row {@code index} as a new array. */
    public int[] read(long index) {
        return read(index, new int[rowLength]);
    }

    /** Copies row {@code index} into {@code into} (length at least {@link #rowLength()}); returns it. */
    public int[] read(long index, int[] into) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(
                    "row " + index + " is outside [0, " + size() + ") of " + dir + " (" + split + ")");
        }
        int b = Arrays.binarySearch(batchStart, index);
        if (b < 0) {
            b = -b - 2;
        } else {
            while (b + 1 < batchStart.length - 1 && batchStart[b + 1] == index) {
                b++;
            }
        }
        int pos = (int) ((index - batchStart[b]) * rowLength);
        batches[b].get(pos, into, 0, rowLength);
        return into;
    }

    /** Unmaps nothing explicitly (the JVM does when buffers are collected); closes the files. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        channels.clear();
        if (first != null) {
            throw first;
        }
    }
}
