package dev.kiln.train.data;

import dev.kiln.tokenize.shard.TokenDataset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link TokenSequences} over llm-tokenize's memory-mapped Arrow shards ({@link TokenDataset}).
 *
 * <pre>{@code
 * try (ShardSequences train = ShardSequences.open(Path.of("shards"), "train", tokenizer.hash())) { ... }
 * }</pre>
 */
public final class ShardSequences implements TokenSequences, AutoCloseable {

    private final TokenDataset dataset;
    private final int vocab;

    private ShardSequences(TokenDataset dataset) {
        this.dataset = dataset;
        Object v = dataset.manifest().properties().get("vocab_size");
        this.vocab = v instanceof Number n ? n.intValue() : -1;
    }

    /**
     * Opens split {@code split} of a shards directory, checking the tokenizer hash ({@code null}:
     * no check).
     */
    public static ShardSequences open(Path dir, String split, String tokenizerHash) throws IOException {
        return new ShardSequences(TokenDataset.open(dir, split, tokenizerHash));
    }

    @Override
    public long size() {
        return dataset.size();
    }

    @Override
    public int seqLen() {
        return dataset.rowLength() - 1;
    }

    @Override
    public void read(long index, int[] into) {
        dataset.read(index, into);
    }

    /** The shards' tokenizer vocabulary size (ids are below it). */
    @Override
    public int maxTokenIdExclusive() {
        return vocab;
    }

    @Override
    public void close() throws IOException {
        dataset.close();
    }
}
