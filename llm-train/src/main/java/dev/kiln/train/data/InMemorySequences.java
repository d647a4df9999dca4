package dev.kiln.train.data;

/**
 * Rows cut from one token stream held in memory: row {@code i} is {@code tokens[i·seqLen, i·seqLen +
 * seqLen + 1)} (consecutive rows overlap by one token, as nanoGPT's contiguous packing).
 *
 * <pre>{@code
 * TokenSequences s = new InMemorySequences(tokenizer.encode(text), 128);
 * }</pre>
 */
public final class InMemorySequences implements TokenSequences {

    private final int[] tokens;
    private final int seqLen;
    private final long rows;
    private final int maxId;

    /**
     * Rows of {@code seqLen + 1} tokens (inputs and their shifted targets) cut from {@code tokens}.
     *
     * @throws IllegalArgumentException when {@code seqLen < 1} or there are fewer than {@code seqLen + 1} tokens
     */
    public InMemorySequences(int[] tokens, int seqLen) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seq_len must be >= 1, got " + seqLen);
        }
        if (tokens.length < seqLen + 1) {
            throw new IllegalArgumentException(
                    "need at least seq_len + 1 = " + (seqLen + 1) + " tokens for one row, got " + tokens.length);
        }
        this.tokens = tokens;
        this.seqLen = seqLen;
        this.rows = (tokens.length - 1) / seqLen;
        int m = 0;
        for (int t : tokens) {
            if (t < 0) {
                throw new IllegalArgumentException("token ids must be >= 0, got " + t);
            }
            m = Math.max(m, t);
        }
        this.maxId = m + 1;
    }

    @Override
    public long size() {
        return rows;
    }

    @Override
    public int seqLen() {
        return seqLen;
    }

    @Override
    public void read(long index, int[] into) {
        if (index < 0 || index >= rows) {
            throw new IndexOutOfBoundsException("row " + index + " outside [0, " + rows + ")");
        }
        System.arraycopy(tokens, Math.toIntExact(index * seqLen), into, 0, seqLen + 1);
    }

    @Override
    public int maxTokenIdExclusive() {
        return maxId;
    }
}
