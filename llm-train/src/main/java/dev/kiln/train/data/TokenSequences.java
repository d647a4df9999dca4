package dev.kiln.train.data;

/**
 * Fixed-length training rows of {@code seqLen + 1} token ids (inputs are the first {@code seqLen},
 * targets the last {@code seqLen}). Implemented over llm-tokenize's Arrow shards and in memory.
 *
 * <pre>{@code
 * int[] row = new int[seqs.seqLen() + 1];
 * seqs.read(42, row);
 * }</pre>
 *
 * <p>{@link #read} must be safe to call from the loader's prefetch thread.
 */
public interface TokenSequences {

    /** Number of rows. */
    long size();

    /** Tokens per training example; rows hold one more. */
    int seqLen();

    /** Copies row {@code index} into {@code into[0, seqLen + 1)}. */
    void read(long index, int[] into);

    /** Exclusive upper bound of the ids, when known (for vocabulary checks), else -1. */
    default int maxTokenIdExclusive() {
        return -1;
    }
}
