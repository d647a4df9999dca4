package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a byte-level BPE {@link BpeTokenizer}.
 *
 * <pre>{@code
 * BpeTokenizer tok = BpeTrainer.builder()
 *     .setVocabSize(32_768)                             // counts the 256 bytes and the special tokens
 *     .optMinFrequency(2)
 *     .optPreTokenizer(PreTokenizer.code())
 *     .optSpecialTokens(SpecialTokens.codeDefaults())
 *     .build()
 *     .trainFiles(List.of(Path.of("src")));             // text files and directories, streamed
 * tok.save(Path.of("tokenizer.json"));
 * }</pre>
 *
 * <p>Inputs: {@link #trainTexts(Iterable)} (each text is one document), {@link #trainFiles(List)}
 * (plain text files of any size, streamed line by line as Hugging Face's trainer reads them: see
 * {@link TextFiles}), {@link #trainFromCounts(Map)}. A {@code Corpus} (a dataset directory,
 * archives, JSONL, Parquet) goes through llm-shard's {@code CorpusTexts}.
 *
 * <h2>Algorithm</h2>
 *
 * <ol>
 *   <li><b>Word counting</b>, in parallel: each thread pre-tokenizes its share of the texts and
 *       counts distinct pieces in its own open-addressing table (64-bit counts); the tables are
 *       summed.
 *   <li><b>Merges</b>: pair counts are computed once; each pair keeps the list of words it occurs
 *       in. A merge rewrites only those words and applies the resulting count changes to the
 *       affected pairs, which sit in an indexed priority queue (no recount per merge).
 * </ol>
 *
 * <p><b>Determinism.</b> The next merge is the pair with the highest count; ties go to the pair
 * whose left token's bytes are lexicographically smaller (unsigned), then whose right token's
 * bytes are. Counts are exact sums, so the vocabulary is the same for any thread count and any
 * input order (unless the memory bound below is hit).
 *
 * <p><b>Memory bound.</b> {@link Builder#optMaxDistinctWords(int)} (default 8,000,000) caps the
 * distinct words kept by all counting threads together: each thread's table holds at most its
 * share and, when it outgrows it, drops its rarest words (count 1, then up to 2, 4, ... until half
 * full: lossy counting); after summing only the most frequent words are kept (ties by bytes). When
 * the cap is hit, counts of rare words are approximate and may depend on the thread count.
 *
 * <p><b>Text.</b> A lone UTF-16 surrogate counts as U+FFFD, as {@link BpeTokenizer} encodes it.
 * Special-token strings in training text are cut out (not counted), as Hugging Face's trainer
 * does, so text joined by {@code <|endoftext|>} does not teach merges of it. A merge whose bytes
 * equal an existing token reuses that token's id (as Hugging Face's trainer does), so the
 * vocabulary can end up a few ids smaller than requested; it is never larger.
 */
public final class BpeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);

    private final int vocabSize;
    private final long minFrequency;
    private final PreTokenizer preTokenizer;
    private final SpecialTokens specials;
    private final int maxDistinctWords;
    private final TrainingInput input;

    private BpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.minFrequency = b.minFrequency;
        this.preTokenizer = b.preTokenizer;
        this.input = b.input(b.preTokenizer);
        this.specials = input.specials;
        this.maxDistinctWords = input.maxDistinctWords;
    }

    /** A builder; {@link Builder#setVocabSize} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on texts, each one document (iterated once, on the calling thread; counted by the
     * worker threads).
     *
     * @throws IllegalArgumentException when the texts hold no text
     */
    public BpeTokenizer trainTexts(Iterable<String> texts) {
        return trainOn(input.countTexts(texts), "the texts contain no text to train on");
    }

    /**
     * Trains on plain text files of any size; directories are walked (every regular file, sorted).
     * Files are streamed line by line (see {@link TextFiles}); binary files are skipped and named in
     * the log (use {@link #trainFiles(TextFiles)} to get the list).
     *
     * @throws NoSuchFileException when an input does not exist
     * @throws IllegalArgumentException when the inputs hold no text (the message names what was read
     *     and skipped)
     */
    public BpeTokenizer trainFiles(List<Path> files) throws IOException {
        return trainFiles(TextFiles.of(files));
    }

    /** As {@link #trainFiles(List)}; afterwards {@code files} tells what was read and skipped. */
    public BpeTokenizer trainFiles(TextFiles files) throws IOException {
        return trainOn(input.countFiles(files), TrainingInput.nothingIn(files));
    }

    /**
     * Trains on texts.
     *
     * @deprecated {@code train(List.of("src"))} trains on the word "src": use {@link
     *     #trainTexts(Iterable)} for texts and {@link #trainFiles(List)} for files.
     */
    @Deprecated
    public BpeTokenizer train(Iterable<String> texts) {
        return trainTexts(texts);
    }

    /**
     * Trains on files.
     *
     * @deprecated use {@link #trainFiles(List)}.
     */
    @Deprecated
    public BpeTokenizer train(List<Path> files) throws IOException {
        return trainFiles(files);
    }

    /**
     * Counts the pre-tokenized words of {@code texts} (in parallel, as {@link #trainTexts(Iterable)}
     * does). With {@link #trainFromCounts(Map)} this splits training in two, e.g. to count words on a
     * cluster (sum the maps) and merge on one machine.
     */
    public Map<String, Long> countWords(Iterable<String> texts) {
        WordCounts wc = input.countTexts(texts);
        Map<String, Long> out = new HashMap<>(Math.max(16, wc.size * 2));
        for (int e = 0; e < wc.size; e++) {
            out.merge(new String(wc.pool, wc.offs[e], wc.lens[e]), wc.counts[e], Long::sum);
        }
        return out;
    }

    /**
     * Trains on word counts (pieces as split by this trainer's pre-tokenizer, e.g. from {@link
     * #countWords}); only the merge phase runs. Counts must be positive.
     */
    public BpeTokenizer trainFromCounts(Map<String, Long> wordCounts) {
        WordCounts wc = new WordCounts();
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            String w = e.getKey();
            long c = e.getValue();
            if (c <= 0) {
                throw new IllegalArgumentException("word '" + w + "' has count " + c + ", counts must be positive");
            }
            if (!w.isEmpty()) {
                char[] cs = w.toCharArray();
                wc.add(cs, 0, cs.length, c);
            }
        }
        return trainOn(wc, "the word counts are empty");
    }

    /**
     * Indices of the {@code keep} most frequent words (ties by UTF-8 bytes, unsigned), sorted
     * without boxing.
     */
    static int[] mostFrequent(long[] counts, byte[][] bytes, int n, int keep) {
        int[] order = IntSort.identity(n);
        IntSort.sort(
                order,
                (x, y) -> counts[x] != counts[y]
                        ? Long.compare(counts[y], counts[x])
                        : Arrays.compareUnsigned(bytes[x], bytes[y]));
        return Arrays.copyOf(order, keep);
    }

    // ---------------------------------------------------------------- merges

    private BpeTokenizer trainOn(WordCounts wc, String whyEmpty) {
        TrainingInput.requireWords(wc, whyEmpty);
        long start = System.nanoTime();
        int nWords = wc.size;
        // UTF-8 bytes of every word, flattened
        byte[][] wordBytes = new byte[nWords][];
        long totalSyms = 0;
        for (int e = 0; e < nWords; e++) {
            wordBytes[e] = Utf8.bytes(wc.pool, wc.offs[e], wc.offs[e] + wc.lens[e]);
            totalSyms += wordBytes[e].length;
        }
        long[] wordCount = Arrays.copyOf(wc.counts, nWords);
        if (nWords > maxDistinctWords) {
            int[] order = mostFrequent(wordCount, wordBytes, nWords, maxDistinctWords);
            byte[][] kb = new byte[maxDistinctWords][];
            long[] kc = new long[maxDistinctWords];
            totalSyms = 0;
            for (int i = 0; i < maxDistinctWords; i++) {
                kb[i] = wordBytes[order[i]];
                kc[i] = wordCount[order[i]];
                totalSyms += kb[i].length;
            }
            LOG.info("kept the {} most frequent of {} distinct words (optMaxDistinctWords)", maxDistinctWords, nWords);
            return merges(kb, kc, maxDistinctWords, totalSyms, start);
        }
        return merges(wordBytes, wordCount, nWords, totalSyms, start);
    }

    private BpeTokenizer merges(byte[][] wordBytes, long[] wordCount, int nWords, long totalSyms, long start) {
        if (totalSyms > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "too many distinct word bytes (" + totalSyms + "); lower optMaxDistinctWords");
        }
        int[] sym = new int[(int) totalSyms];
        int[] wStart = new int[nWords];
        int[] wLen = new int[nWords];
        int pos = 0;
        for (int w = 0; w < nWords; w++) {
            wStart[w] = pos;
            wLen[w] = wordBytes[w].length;
            for (byte b : wordBytes[w]) {
                sym[pos++] = b & 0xFF;
            }
            wordBytes[w] = null;
        }
        int base = 256 + specials.size();
        byte[][] tok = new byte[vocabSize][];
        for (int b = 0; b < 256; b++) {
            tok[b] = new byte[] {(byte) b};
        }
        List<String> sp = specials.list();
        List<AddedToken> specialTokens = new ArrayList<>();
        for (int i = 0; i < sp.size(); i++) {
            tok[256 + i] = sp.get(i).getBytes(StandardCharsets.UTF_8);
            specialTokens.add(AddedToken.of(sp.get(i), 256 + i, true));
        }
        Map<String, Integer> byBytes = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byBytes.put(new String(tok[b], StandardCharsets.ISO_8859_1), b);
        }
        MergePairs pairs = new MergePairs(tok);
        for (int w = 0; w < nWords; w++) {
            int s = wStart[w];
            long c = wordCount[w];
            for (int i = s; i < s + wLen[w] - 1; i++) {
                pairs.add(sym[i], sym[i + 1], c, w);
            }
        }
        pairs.heapifyAll();
        LOG.debug("merge setup: {} pairs in {} ms", pairs.size, (System.nanoTime() - start) / 1_000_000);
        int[] stamp = new int[nWords];
        Arrays.fill(stamp, -1);
        int target = vocabSize - base;
        int[] mLeft = new int[target];
        int[] mRight = new int[target];
        int[] mResult = new int[target];
        int merges = 0;
        int nextId = base;
        try (Progress progress = input.progress("merges", "merges", target)) {
            while (nextId < vocabSize && pairs.heapSize > 0) {
                int p = pairs.heap[0];
                if (pairs.count[p] < minFrequency) {
                    break;
                }
                pairs.removeTop();
                int a = pairs.left[p];
                int b = pairs.right[p];
                byte[] nb = new byte[tok[a].length + tok[b].length];
                System.arraycopy(tok[a], 0, nb, 0, tok[a].length);
                System.arraycopy(tok[b], 0, nb, tok[a].length, tok[b].length);
                String key = new String(nb, StandardCharsets.ISO_8859_1);
                Integer existing = byBytes.get(key);
                int id;
                if (existing != null) {
                    id = existing;
                } else {
                    id = nextId++;
                    tok[id] = nb;
                    byBytes.put(key, id);
                }
                mLeft[merges] = a;
                mRight[merges] = b;
                mResult[merges] = id;
                int[] ws = pairs.words[p];
                int nws = pairs.wordsLen[p];
                pairs.words[p] = null;
                pairs.wordsLen[p] = 0;
                for (int k = 0; k < nws; k++) {
                    int w = ws[k];
                    if (stamp[w] == merges) {
                        continue;
                    }
                    stamp[w] = merges;
                    long c = wordCount[w];
                    int s = wStart[w];
                    int e = s + wLen[w];
                    int j = s;
                    int r = s;
                    while (r < e) {
                        if (sym[r] == a && r + 1 < e && sym[r + 1] == b) {
                            if (j > s) {
                                pairs.add(sym[j - 1], a, -c, -1);
                                pairs.add(sym[j - 1], id, c, w);
                            }
                            if (r + 2 < e) {
                                pairs.add(b, sym[r + 2], -c, -1);
                                pairs.add(id, sym[r + 2], c, w);
                            }
                            sym[j++] = id;
                            r += 2;
                        } else {
                            sym[j++] = sym[r++];
                        }
                    }
                    wLen[w] = j - s;
                }
                pairs.count[p] = 0;
                pairs.flushTouched(p);
                merges++;
                progress.advance(1);
            }
        }
        byte[][] vocab = Arrays.copyOf(tok, nextId);
        BpeTokenizer result = new BpeTokenizer(
                preTokenizer,
                vocab,
                Arrays.copyOf(mLeft, merges),
                Arrays.copyOf(mRight, merges),
                Arrays.copyOf(mResult, merges),
                specialTokens,
                null,
                null);
        LOG.info(
                "trained {}: {} distinct words, {} merges in {} ms",
                result,
                nWords,
                merges,
                (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    /** Builder: {@code setVocabSize} is required; the shared options are in {@link TrainerOptions}. */
    public static final class Builder extends TrainerOptions<Builder> {
        private int vocabSize = -1;
        private long minFrequency = 2;
        private PreTokenizer preTokenizer = PreTokenizer.code();

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** Vocabulary size, counting the 256 byte tokens and the special tokens. */
        public Builder setVocabSize(int vocabSize) {
            if (vocabSize < 256) {
                throw new IllegalArgumentException(
                        "vocab size must be at least 256 (the byte tokens) plus the special tokens, got " + vocabSize);
            }
            this.vocabSize = vocabSize;
            return this;
        }

        /** A pair must occur at least this many times to be merged (default 2). */
        public Builder optMinFrequency(long minFrequency) {
            if (minFrequency < 1) {
                throw new IllegalArgumentException("min frequency must be >= 1, got " + minFrequency);
            }
            this.minFrequency = minFrequency;
            return this;
        }

        /** The pre-tokenizer words are split by (default {@link PreTokenizer#code()}). */
        public Builder optPreTokenizer(PreTokenizer preTokenizer) {
            this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
            return this;
        }

        /**
         * The trainer with these settings (copied: changing the builder later does not change it).
         *
         * @throws IllegalStateException when {@link #setVocabSize} was not called
         * @throws IllegalArgumentException when the vocabulary cannot hold the bytes and special tokens
         */
        public BpeTrainer build() {
            requireRoom(vocabSize, 256, "256 byte tokens");
            return new BpeTrainer(this);
        }
    }
}
