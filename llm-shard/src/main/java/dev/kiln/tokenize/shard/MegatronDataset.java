package dev.kiln.tokenize.shard;

import dev.kiln.core.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes Megatron-LM's memory-mapped indexed dataset, the format Megatron-LM, NeMo and GPT-NeoX
 * stream: {@code PREFIX.bin} holds the token ids of every sequence back to back, {@code PREFIX.idx}
 * the index (little-endian): the magic {@code MMIDIDX\0\0}, version 1 (uint64), the dtype code
 * (uint8: 8 = uint16 when every id fits, else 4 = int32), the sequence count and the document-index
 * count (uint64 each), the sequence lengths (int32), the byte offsets of the sequences in the
 * {@code .bin} (int64) and the document index (int64: the first sequence of each document, then the
 * sequence count).
 *
 * <pre>{@code
 * MegatronDataset.Result r = MegatronDataset.export(Path.of("shards"), "train", Path.of("megatron/code_text_document"));
 * // torchrun pretrain_gpt.py --data-path megatron/code_text_document ...
 * }</pre>
 */
public final class MegatronDataset implements AutoCloseable {

    /** The index file's magic bytes. */
    static final byte[] MAGIC = "MMIDIDX\0\0".getBytes(StandardCharsets.US_ASCII);

    /** Megatron's dtype codes for the two widths Kiln writes. */
    static final int DTYPE_INT32 = 4;

    static final int DTYPE_UINT16 = 8;

    /** What an export wrote. */
    public record Result(Path bin, Path idx, long sequences, long documents, long tokens, int dtypeCode) {}

    private final Path prefix;
    private final int vocab;
    private final int dtypeCode;
    private final int width;
    private final OutputStream bin;
    private final Path binTmp;
    private int[] lengths = new int[1024];
    private long[] docs = new long[1024];
    private int sequences;
    private int documents;
    private long tokens;
    private boolean closed;

    /**
     * A writer for sequences of ids below {@code vocabSize}; {@link #close()} commits both files.
     *
     * @throws IllegalArgumentException for a vocabulary that is empty or exceeds int32
     */
    public MegatronDataset(Path prefix, int vocabSize) throws IOException {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        }
        this.prefix = prefix.toAbsolutePath();
        this.dtypeCode = vocabSize <= 65536 ? DTYPE_UINT16 : DTYPE_INT32;
        this.width = dtypeCode == DTYPE_UINT16 ? 2 : 4;
        Path parent = this.prefix.getParent();
        Files.createDirectories(parent);
        this.binTmp = Files.createTempFile(parent, this.prefix.getFileName() + ".", ".bin.tmp");
        this.bin = new BufferedOutputStream(Files.newOutputStream(binTmp), 1 << 16);
        this.vocab = vocabSize;
    }

    /** Appends one sequence (ids are checked against the vocabulary). */
    public void addSequence(int[] ids, int from, int to) throws IOException {
        if (closed) {
            throw new IllegalStateException("the Megatron dataset " + prefix + " is closed");
        }
        ByteBuffer bb = ByteBuffer.allocate((to - from) * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
            if (width == 2) {
                bb.putShort((short) id);
            } else {
                bb.putInt(id);
            }
        }
        bin.write(bb.array());
        if (sequences == lengths.length) {
            lengths = Arrays.copyOf(lengths, sequences * 2);
        }
        lengths[sequences++] = to - from;
        tokens += to - from;
    }

    /** Marks the sequences added since the previous call as one document. */
    public void endDocument() {
        if (documents + 1 >= docs.length) {
            docs = Arrays.copyOf(docs, docs.length * 2);
        }
        docs[++documents] = sequences;
    }

    /** Drops what was written (nothing is committed). */
    public void abort() throws IOException {
        if (!closed) {
            closed = true;
            bin.close();
            Files.deleteIfExists(binTmp);
        }
    }

    /** Writes the index and moves both files into place. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (docs[documents] != sequences) {
            endDocument(); // sequences after the last endDocument() form a last document
        }
        bin.close();
        Path binFile = Path.of(prefix + ".bin");
        Files.move(
                binTmp,
                binFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        int docCount = documents + 1;
        ByteBuffer idx = ByteBuffer.allocate(
                        MAGIC.length + 8 + 1 + 8 + 8 + sequences * 4 + sequences * 8 + docCount * 8)
                .order(ByteOrder.LITTLE_ENDIAN);
        idx.put(MAGIC);
        idx.putLong(1);
        idx.put((byte) dtypeCode);
        idx.putLong(sequences);
        idx.putLong(docCount);
        for (int i = 0; i < sequences; i++) {
            idx.putInt(lengths[i]);
        }
        long pointer = 0;
        for (int i = 0; i < sequences; i++) {
            idx.putLong(pointer);
            pointer += (long) lengths[i] * width;
        }
        for (int i = 0; i < docCount; i++) {
            idx.putLong(docs[i]);
        }
        try (AtomicFiles.Output out = AtomicFiles.open(Path.of(prefix + ".idx"))) {
            out.stream().write(idx.array());
            out.commit();
        }
    }

    /** The result of the writing (after {@link #close()}). */
    public Result result() {
        return new Result(Path.of(prefix + ".bin"), Path.of(prefix + ".idx"), sequences, documents, tokens, dtypeCode);
    }

    /**
     * Exports split {@code split} of a Kiln shards directory: each row ({@code seq_len + 1} ids, the
     * documents packed inside it separated by end-of-text) becomes one sequence and one document.
     */
    public static Result export(Path shardsDir, String split, Path prefix) throws IOException {
        try (TokenDataset data = TokenDataset.open(shardsDir, split, (String) null)) {
            Object v = data.manifest().properties().get("vocab_size");
            int vocab = v instanceof Number n ? n.intValue() : Integer.MAX_VALUE;
            MegatronDataset out = new MegatronDataset(prefix, vocab);
            try {
                int[] row = new int[data.rowLength()];
                for (long i = 0; i < data.size(); i++) {
                    data.read(i, row);
                    out.addSequence(row, 0, row.length);
                    out.endDocument();
                }
            } catch (IOException | RuntimeException e) {
                out.abort();
                throw e;
            }
            out.close();
            return out.result();
        }
    }
}
