package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PreTokenizerTest {

    /** GPT-2's pattern; {@code \s} is Unicode White_Space as in Hugging Face's regex engine. */
    static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    static final Pattern DIGIT = Pattern.compile("\\p{N}");

    static List<String> regexSplit(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        int expected = 0;
        while (m.find()) {
            assertThat(m.start()).as("regex pieces tile the text").isEqualTo(expected);
            out.add(m.group());
            expected = m.end();
        }
        assertThat(expected).isEqualTo(text.length());
        return out;
    }

    /** Hugging Face's Split(\p{N}, Isolated) followed by GPT-2's pattern on each part. */
    static List<String> regexSplitCode(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = DIGIT.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                out.addAll(regexSplit(text.substring(last, m.start())));
            }
            out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            out.addAll(regexSplit(text.substring(last)));
        }
        return out;
    }

    @Provide
    Arbitrary<String> texts() {
        return TextArbitraries.text(40);
    }

    @Property(tries = 3000)
    void gpt2ScannerEqualsRegex(@ForAll("texts") String text) {
        assertThat(PreTokenizer.gpt2().split(text)).isEqualTo(regexSplit(text));
    }

    @Property(tries = 3000)
    void codeScannerEqualsSplitThenRegex(@ForAll("texts") String text) {
        assertThat(PreTokenizer.code().split(text)).isEqualTo(regexSplitCode(text));
    }

    @Example
    void examples() {
        assertThat(PreTokenizer.gpt2().split("Hello world's  x = 42;\n\n  y"))
                .containsExactly("Hello", " world", "'s", " ", " x", " =", " 42", ";", "\n\n ", " y");
        assertThat(PreTokenizer.code().split("x = 42;")).containsExactly("x", " =", " ", "4", "2", ";");
    }

    @Example
    void realSourceFileMatchesRegex() throws Exception {
        String src = java.nio.file.Files.readString(
                java.nio.file.Path.of("src/main/java/dev/kiln/tokenize/PreTokenizer.java"));
        assertThat(PreTokenizer.gpt2().split(src)).isEqualTo(regexSplit(src));
        assertThat(PreTokenizer.code().split(src)).isEqualTo(regexSplitCode(src));
    }

    @Example
    void byNameRejectsUnknown() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PreTokenizer.byName("bert"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bert'");
    }
}
