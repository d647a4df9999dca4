package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.shard.TokenShardWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.SplittableRandom;

/** Token shards of random lowercase text for the shard and data-loader benchmarks. */
final class SyntheticShards {

    private SyntheticShards() {}

    /**
     * Writes about {@code tokens} tokens as split "train" shards of {@code seqLen + 1}-token rows
     * into {@code dir}, with a byte-level tokenizer (no merges: one token per byte, so writing is
     * fast), and returns that tokenizer.
     */
    static BpeTokenizer write(Path dir, long tokens, int seqLen) throws IOException {
        BpeTokenizer tok = BpeTrainer.builder()
                .setVocabSize(256 + 7)
                .optSpecialTokens(SpecialTokens.codeDefaults())
                .build()
                .trainTexts(List.of("x"));
        int docLen = 100_000;
        int docs = (int) (tokens / docLen);
        List<Document> documents = new AbstractList<>() {
            @Override
            public Document get(int i) {
                SplittableRandom r = new SplittableRandom(i);
                char[] c = new char[docLen - 1];
                for (int j = 0; j < c.length; j++) {
                    c[j] = (char) ('a' + r.nextInt(26));
                }
                return Document.of("d" + i, new String(c));
            }

            @Override
            public int size() {
                return docs;
            }
        };
        TokenShardWriter.builder()
                .setTokenizer(tok)
                .setOutput(dir)
                .setSeqLen(seqLen)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofMinutes(1)))
                .build()
                .write(documents);
        return tok;
    }
}
