package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.progress.ProgressSink;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    private static BpeTrainer trainer(int threads) {
        return BpeTrainer.builder()
                .setVocabSize(800)
                .optThreads(threads)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofSeconds(1)))
                .build();
    }

    @Test
    void sameVocabularyForAnyThreadCountAndOrder() throws Exception {
        List<String> texts = TestCorpus.texts();
        BpeTokenizer one = trainer(1).trainTexts(texts);
        BpeTokenizer three = trainer(3).trainTexts(texts);
        List<String> shuffled = new ArrayList<>(texts);
        Collections.shuffle(shuffled, new java.util.Random(7));
        BpeTokenizer reordered = trainer(2).trainTexts(shuffled);
        assertThat(three.hash()).isEqualTo(one.hash());
        assertThat(reordered.hash()).isEqualTo(one.hash());
        // files are read line by line (as Hugging Face's trainer does): the same as the lines as texts
        BpeTokenizer fromFiles = trainer(3).trainFiles(TestCorpus.files());
        List<String> lines = new ArrayList<>();
        for (String t : texts) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("[^\\n]*\\n|[^\\n]+$").matcher(t);
            while (m.find()) {
                lines.add(m.group());
            }
        }
        assertThat(fromFiles.hash()).isEqualTo(trainer(1).trainTexts(lines).hash());
        assertThat(fromFiles.hash()).isNotEqualTo(one.hash());
        assertThat(one.vocabSize()).isLessThanOrEqualTo(800);
    }

    @Test
    void countingThenMergingEqualsTraining() {
        List<String> texts = TestCorpus.texts();
        BpeTrainer t = trainer(2);
        java.util.Map<String, Long> counts = t.countWords(texts);
        assertThat(counts.get(" class")).isPositive();
        assertThat(t.trainFromCounts(counts).hash())
                .isEqualTo(t.trainTexts(texts).hash());
        assertThatThrownBy(() -> t.trainFromCounts(java.util.Map.of("x", 0L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
    }

    @Test
    void mergesFollowCountsThenBytes() {
        // "ab" x3 beats "cd" x2; between equal counts the smaller bytes win
        BpeTokenizer t = BpeTrainer.builder()
                .setVocabSize(256 + 3)
                .optSpecialTokens(SpecialTokens.none())
                .optMinFrequency(1)
                .optThreads(1)
                .build()
                .trainTexts(List.of("ab ab ab cd cd zy zy"));
        assertThat(t.tokenText(t.merge(0)[2])).isEqualTo("ab");
        assertThat(t.tokenText(t.merge(1)[2]))
                .isEqualTo(" ab"); // count 2 ties " c", " z", "cd", "zy": " " is the smallest left
        assertThat(t.tokenText(t.merge(2)[2])).isEqualTo(" c");
    }

    @Test
    void specialTokensInTrainingTextAreNotLearned() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("x" + (i % 7) + "<|endoftext|>y<fim_prefix>");
        }
        BpeTokenizer t = BpeTrainer.builder()
                .setVocabSize(300)
                .optMinFrequency(2)
                .build()
                .trainTexts(texts);
        for (int r = 0; r < t.mergeCount(); r++) {
            String m = t.tokenText(t.merge(r)[2]);
            assertThat(m).doesNotContain("<").doesNotContain("endof").doesNotContain("fim");
        }
        assertThat(t.mergeCount()).isZero(); // "x" and a digit are separate pieces; nothing else repeats
    }

    @Test
    void minFrequencyStopsEarly() {
        BpeTokenizer t = BpeTrainer.builder()
                .setVocabSize(10_000)
                .optSpecialTokens(SpecialTokens.none())
                .optMinFrequency(3)
                .build()
                .trainTexts(List.of("aaa bbb aaa ccc"));
        for (int r = 0; r < t.mergeCount(); r++) {
            assertThat(t.tokenText(t.merge(r)[2])).doesNotContain("c");
        }
        assertThat(t.vocabSize()).isLessThan(300);
    }

    @Test
    void badInputIsAClearError() throws Exception {
        assertThatThrownBy(() -> BpeTrainer.builder().setVocabSize(100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100");
        assertThatThrownBy(() -> BpeTrainer.builder().setVocabSize(260).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("260")
                .hasMessageContaining("263");
        assertThatThrownBy(() -> trainer(2).trainTexts(List.of("", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty corpus");
        Path empty = Files.createTempDirectory("kiln-empty");
        assertThatThrownBy(() -> trainer(2).trainFiles(List.of(empty)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty corpus")
                .hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> trainer(2).trainFiles(List.of(empty.resolve("missing"))))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void memoryBoundKeepsMostFrequentWords() {
        // A fixed corpus (the repository's own sources change as Kiln grows): a few frequent words
        // after thousands of rare ones. With room for 50 distinct words, the frequent ones must
        // survive and be merged whole.
        List<String> texts = new java.util.ArrayList<>();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 5000; i++) {
            texts.add("q" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36));
        }
        for (int i = 0; i < 200; i++) {
            texts.add("public static final int counter = compute(counter);");
        }
        BpeTokenizer t = BpeTrainer.builder()
                .setVocabSize(300)
                .optMaxDistinctWords(50)
                .build()
                .trainTexts(texts);
        assertThat(t.mergeCount()).isGreaterThan(10);
        assertThat(t.encode(" compute")).hasSize(1);
        assertThat(t.encode(" counter")).hasSize(1);
    }
}
