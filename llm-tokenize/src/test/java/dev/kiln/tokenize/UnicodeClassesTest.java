package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ids do not depend on the JVM's Unicode version: the pre-tokenizer and the added-token matcher
 * classify characters by one fixed Unicode 16 table. The same checks run on Java 25 (Unicode 16)
 * and, through surefire's {@code on-java-17} execution, on Java 17 (Unicode 13), where the
 * characters below are unassigned and {@link Character} would classify them differently.
 */
class UnicodeClassesTest {

    // letters and digits assigned after Unicode 13: Vithkuqi (14), Kawi and Nag Mundari (15), Kirat Rai (16)
    static final String VITHKUQI_A = new String(Character.toChars(0x10570));
    static final String KAWI_A = new String(Character.toChars(0x11F04));
    static final String NAG_MUNDARI_1 = new String(Character.toChars(0x1E4F1));
    static final String KIRAT_RAI_A = new String(Character.toChars(0x16D43));

    /** The checks that must give the same answer on every JVM. */
    static void sameOnEveryJvm() {
        assertThat(PreTokenizer.gpt2().split("x" + VITHKUQI_A + KAWI_A + KIRAT_RAI_A + "y z"))
                .containsExactly("x" + VITHKUQI_A + KAWI_A + KIRAT_RAI_A + "y", " z");
        assertThat(PreTokenizer.code().split("(" + NAG_MUNDARI_1 + NAG_MUNDARI_1 + ")"))
                .containsExactly("(", NAG_MUNDARI_1, NAG_MUNDARI_1, ")");
        assertThat(AddedTokenMatcher.isWordChar(KIRAT_RAI_A.codePointAt(0))).isTrue();
        assertThat(UnicodeClasses.preTokenizerClass(0x0378)).isEqualTo(PreTokenizer.OTHER); // unassigned
        // a tokenizer trained on these texts has the same hash everywhere
        List<String> texts = List.of(
                "a" + VITHKUQI_A + "b c" + KAWI_A + "d " + NAG_MUNDARI_1 + "1 e" + KIRAT_RAI_A,
                "a" + VITHKUQI_A + "b c" + KAWI_A + "d " + NAG_MUNDARI_1 + "1 e" + KIRAT_RAI_A);
        BpeTokenizer t = BpeTrainer.builder()
                .setVocabSize(300)
                .optThreads(1)
                .optSpecialTokens(SpecialTokens.none())
                .build()
                .trainTexts(texts);
        // golden: computed on Java 25; Java 17's Character calls these characters unassigned
        assertThat(t.encode(texts.get(0))).containsExactly(271, 262, 32, 274, 49, 266);
        assertThat(t.hash()).isEqualTo("5209f4263d28b9d631f2949f52a7c8910b37ac512ae880f0cec53e3a972fb28c");
    }

    @Test
    void newerCharactersAreClassifiedAsInUnicode16() {
        sameOnEveryJvm();
    }

    @Test
    void theStoredTableIsWhatTheGeneratorDerivesFromUnicode16() throws Exception {
        int feature = Runtime.version().feature();
        assumeTrue(feature == 24 || feature == 25, "Java 24 and 25 implement Unicode 16; this is Java " + feature);
        try (InputStream in = UnicodeClasses.class.getResourceAsStream(UnicodeClasses.RESOURCE)) {
            assertThat(in.readAllBytes()).isEqualTo(UnicodeClassesGenerator.generate());
        }
    }
}
