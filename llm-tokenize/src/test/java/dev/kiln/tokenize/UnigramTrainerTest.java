package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.progress.ProgressSink;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Unigram trainer's result does not depend on the thread count (its sums are exact integers). */
class UnigramTrainerTest {

    private static UnigramTokenizer train(List<String> texts, int threads) {
        return UnigramTrainer.builder()
                .setVocabSize(600)
                .optSeedSize(20_000)
                .optThreads(threads)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofHours(1)))
                .build()
                .trainTexts(texts);
    }

    @Test
    void sameVocabularyForAnyThreadCount() {
        List<String> texts = TestCorpus.texts();
        texts = texts.subList(0, Math.min(texts.size(), 60));
        UnigramTokenizer one = train(texts, 1);
        UnigramTokenizer three = train(texts, 3);
        assertThat(three.hash()).isEqualTo(one.hash());
        assertThat(one.vocabSize()).isGreaterThan(500);
        // and the result is a real vocabulary: a common Java word is one piece
        assertThat(one.encode("▁public").length).isLessThanOrEqualTo(2);
    }

    @Test
    void piecesLongerThan127CharsAreCounted() {
        String longWord = "ab".repeat(100) + "\uD83D\uDE00".repeat(20); // 240 chars, 220 code points
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            texts.add(longWord + " x" + (i % 7) + " yz");
        }
        UnigramTokenizer tok = UnigramTrainer.builder()
                .setVocabSize(300)
                .optMaxPieceLength(256)
                .optThreads(2)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofHours(1)))
                .build()
                .trainTexts(texts);
        assertThat(tok.encode(longWord)).hasSize(1);
        assertThat(tok.decode(tok.encode(longWord))).isEqualTo(longWord);
    }
}
