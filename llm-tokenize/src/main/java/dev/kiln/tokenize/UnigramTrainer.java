package dev.kiln.tokenize;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a SentencePiece-style {@link UnigramTokenizer}.
 *
 * <pre>{@code
 * UnigramTokenizer tok = UnigramTrainer.builder()
 *     .setVocabSize(32_000)          // counts <unk>, the special tokens and the 256 byte tokens
 *     .build()
 *     .trainFiles(List.of(Path.of("java.base.txt")));
 * tok.save(Path.of("tokenizer.json"));
 * }</pre>
 *
 * <h2>Algorithm (SentencePiece's unigram trainer)</h2>
 *
 * <ol>
 *   <li>Words are counted in parallel after splitting as Hugging Face's {@code Metaspace} does (a
 *       space starts a new piece); files are read line by line, as for {@link BpeTrainer}.
 *   <li>The characters covering {@link Builder#optCharacterCoverage} of all characters are
 *       required; rarer ones are left to byte fallback.
 *   <li>Seed vocabulary: every character, plus the {@link Builder#optSeedSize} most frequent
 *       substrings (up to {@link Builder#optMaxPieceLength} characters, counted at least twice) by
 *       frequency × length.
 *   <li>EM: the E-step computes each piece's expected count over all segmentations of every word
 *       (forward-backward), the M-step re-estimates log probabilities with SentencePiece's
 *       Bayesian (digamma) update and drops pieces expected less than 0.5 times.
 *   <li>Pruning: each piece's loss is how much the likelihood drops when its occurrences in the
 *       Viterbi segmentations go to its best alternative segmentation; the pieces with the
 *       smallest loss go, down to {@link Builder#optShrinkingFactor} of the vocabulary per round,
 *       until it is within 10% of the target; the best pieces by score are kept.
 * </ol>
 *
 * <p>The result for a given input is the same for any thread count: the E-step's expected counts
 * are summed as fixed-point integers (2<sup>-26</sup> units), which add up exactly in any order, and
 * every selection sorts by score, then by piece. Threads share the seed count (split by hash), the
 * E-step and the pruning pass (blocks of words taken as they come). Scores are rounded to multiples of 1/1024, so the file's decimal scores
 * are exact and Hugging Face's library segments exactly as Kiln does.
 */
public final class UnigramTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(UnigramTrainer.class);
    static final double SCORE_QUANTUM = 1024.0;

    final int vocabSize;
    final SpecialTokens specials;
    final int maxPieceLength;
    final int seedSize;
    final double shrinkingFactor;
    final int subIterations;
    final double characterCoverage;
    final int threads;
    final TrainingInput input;

    private UnigramTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.specials = b.specials;
        this.maxPieceLength = b.maxPieceLength;
        this.seedSize = b.seedSize;
        this.shrinkingFactor = b.shrinkingFactor;
        this.subIterations = b.subIterations;
        this.characterCoverage = b.characterCoverage;
        this.input = b.input(PieceSplitter.METASPACE);
        this.threads = input.threads;
    }

    /** A builder; {@link Builder#setVocabSize} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on texts, each one document.
     *
     * @throws IllegalArgumentException when the texts hold no text
     */
    public UnigramTokenizer trainTexts(Iterable<String> texts) {
        return train(input.countTexts(texts), "the texts contain no text to train on");
    }

    /**
     * Trains on plain text files of any size, streamed line by line (see {@link TextFiles}).
     *
     * @throws NoSuchFileException when an input does not exist
     * @throws IllegalArgumentException when the inputs hold no text (the message names what was read
     *     and skipped)
     */
    public UnigramTokenizer trainFiles(List<Path> files) throws IOException {
        return trainFiles(TextFiles.of(files));
    }

    /** As {@link #trainFiles(List)}; afterwards {@code files} tells what was read and skipped. */
    public UnigramTokenizer trainFiles(TextFiles files) throws IOException {
        return train(input.countFiles(files), TrainingInput.nothingIn(files));
    }

    private UnigramTokenizer train(WordCounts wc, String whyEmpty) {
        TrainingInput.requireWords(wc, whyEmpty);
        long start = System.nanoTime();
        UnigramWords words = UnigramWords.of(wc, characterCoverage);
        wc.clear();
        int budget = vocabSize - 1 - specials.size() - 256;
        UnigramEm em = new UnigramEm(this, words);
        LOG.info("{} distinct words, {} required characters ({} ms)", words.size(), words.required.length, ms(start));
        em.seed();
        LOG.info("seed: {} pieces ({} ms)", em.size(), ms(start));
        int round = 0;
        while (true) {
            for (int it = 0; it < subIterations; it++) {
                double objective = em.emStep();
                LOG.debug("round {} EM {}: {} pieces, objective {}", round, it, em.size(), objective);
            }
            if (em.size() <= budget * 1.1) {
                break;
            }
            em.prune(budget);
            round++;
            LOG.info("round {}: {} pieces ({} ms)", round, em.size(), ms(start));
        }
        String[] kept = em.finalPieces(budget);
        double[] keptScores = em.finalScores();
        // vocabulary: <unk>, special tokens, 256 byte tokens, then the pieces by score
        List<String> pieces = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        pieces.add(UnigramTokenizer.UNK);
        scores.add(0.0);
        for (String s : specials.list()) {
            specialIds.put(s, pieces.size());
            pieces.add(s);
            scores.add(0.0);
        }
        java.util.Set<String> taken = new java.util.HashSet<>(pieces);
        for (int b = 0; b < 256; b++) {
            String bp = UnigramModel.bytePiece(b);
            taken.add(bp);
            pieces.add(bp);
            scores.add(0.0);
        }
        for (int i = 0; i < kept.length; i++) {
            if (taken.add(kept[i])) {
                pieces.add(kept[i]);
                scores.add(Math.round(keptScores[i] * SCORE_QUANTUM) / SCORE_QUANTUM);
            }
        }
        double[] sc = new double[scores.size()];
        for (int i = 0; i < sc.length; i++) {
            sc[i] = scores.get(i);
        }
        UnigramTokenizer tok = new UnigramTokenizer(new UnigramModel(pieces.toArray(new String[0]), sc, 0), specialIds);
        LOG.info(
                "trained {}: {} distinct words, {} pruning rounds in {} ms",
                tok,
                words.size(),
                round,
                (System.nanoTime() - start) / 1_000_000);
        return tok;
    }

    private static long ms(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Builder: {@code setVocabSize} is required; the shared options are in {@link TrainerOptions}. */
    public static final class Builder extends TrainerOptions<Builder> {
        private int vocabSize = -1;
        private int maxPieceLength = 16;
        private int seedSize = 1_000_000;
        private double shrinkingFactor = 0.75;
        private int subIterations = 2;
        private double characterCoverage = 0.9995;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** Vocabulary size, counting {@code <unk>}, the special tokens and the 256 byte tokens. */
        public Builder setVocabSize(int vocabSize) {
            if (vocabSize < 258) {
                throw new IllegalArgumentException(
                        "vocab size must be at least 258 (<unk>, the 256 byte tokens and one piece), got " + vocabSize);
            }
            this.vocabSize = vocabSize;
            return this;
        }

        /** Longest piece, in characters (default 16, as SentencePiece). */
        public Builder optMaxPieceLength(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("max piece length must be in [1, 256], got " + n);
            }
            this.maxPieceLength = n;
            return this;
        }

        /** Seed substrings before pruning (default 1,000,000, as SentencePiece). */
        public Builder optSeedSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("seed size must be >= 1, got " + n);
            }
            this.seedSize = n;
            return this;
        }

        /** Fraction of the pieces kept per pruning round (default 0.75). */
        public Builder optShrinkingFactor(double f) {
            if (!(f > 0 && f < 1)) {
                throw new IllegalArgumentException("shrinking factor must be in (0, 1), got " + f);
            }
            this.shrinkingFactor = f;
            return this;
        }

        /** EM iterations per pruning round (default 2). */
        public Builder optSubIterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("sub-iterations must be >= 1, got " + n);
            }
            this.subIterations = n;
            return this;
        }

        /** Fraction of character occurrences the kept characters cover (default 0.9995). */
        public Builder optCharacterCoverage(double c) {
            if (!(c > 0 && c <= 1)) {
                throw new IllegalArgumentException("character coverage must be in (0, 1], got " + c);
            }
            this.characterCoverage = c;
            return this;
        }

        /**
         * The trainer with these settings (copied: changing the builder later does not change it).
         *
         * @throws IllegalStateException when {@link #setVocabSize} was not called
         * @throws IllegalArgumentException when the vocabulary cannot hold its fixed tokens and one piece
         */
        public UnigramTrainer build() {
            requireRoom(vocabSize, 1 + 256 + 1, "<unk> + 256 byte tokens + 1 piece");
            return new UnigramTrainer(this);
        }
    }
}
