package dev.kiln.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    private final ByteTokenizer tok = ByteTokenizer.withCodeSpecials();

    @Test
    void encodesUtf8BytesAndSpecialTokens() {
        assertThat(tok.encode("a<|endoftext|>é")).containsExactly('a', 256, 0xC3, 0xA9);
        assertThat(tok.decode(tok.encode("x <fim_middle> y"))).isEqualTo("x <fim_middle> y");
        assertThat(tok.vocabSize()).isEqualTo(256 + 7);
        assertThat(tok.fimTemplate()).contains(new FimTemplate(257, 259, 258, FimTemplate.Mode.PSM));
    }

    @Test
    void roundTripsArbitraryTextAndMapsLoneSurrogatesToReplacement() {
        String s = "int x = 42; // 日本語 😀 \t\r\n\u0000";
        assertThat(tok.decode(tok.encode(s))).isEqualTo(s);
        assertThat(tok.encode(s)).hasSize(s.getBytes(StandardCharsets.UTF_8).length);
        assertThat(tok.decode(tok.encode("a\uD800b"))).isEqualTo("a\uFFFDb");
        assertThat(tok.decode(tok.encode("\uDC00"))).isEqualTo("\uFFFD");
    }

    @Test
    void rejectsBadConfigurationAndIds() {
        assertThatThrownBy(() -> new ByteTokenizer(List.of("<a>", "<a>"))).hasMessageContaining("'<a>'");
        assertThatThrownBy(() -> tok.tokenBytes(999)).hasMessageContaining("999");
    }

    @Test
    void fimTemplateLaysOutPsmAndSpm() {
        FimTemplate psm = tok.fimTemplate().orElseThrow();
        int[] p = psm.build(tok, "a", "b");
        assertThat(p).containsExactly(257, 'a', 259, 'b', 258);
        int[] s = psm.withMode(FimTemplate.Mode.SPM).build(tok, "a", "b");
        assertThat(s).containsExactly(257, 259, 'b', 258, 'a');
    }
}
