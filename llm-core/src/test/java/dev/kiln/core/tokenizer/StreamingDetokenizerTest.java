package dev.kiln.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDetokenizerTest {

    private final ByteTokenizer tok = ByteTokenizer.withCodeSpecials();

    private List<String> deltas(StreamingDetokenizer d, String text) {
        List<String> out = new ArrayList<>();
        for (int id : tok.encode(text)) {
            out.add(d.push(id));
            if (d.stopped()) {
                return out;
            }
        }
        out.add(d.finish());
        return out;
    }

    @Test
    void neverEmitsHalfACharacter() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of());
        List<String> out = deltas(d, "é😀x");
        // é is 2 bytes, 😀 is 4 bytes: each delta is whole characters only
        assertThat(out).containsExactly("", "é", "", "", "", "😀", "x", "");
        assertThat(d.text()).isEqualTo("é😀x");
    }

    @Test
    void stopStringsSpanningTokensAreHonouredAndNotEmitted() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of("\ndef"));
        List<String> out = deltas(d, "return 1\n\ndef g():");
        assertThat(String.join("", out)).isEqualTo("return 1\n");
        assertThat(d.stopped()).isTrue();
        assertThat(d.push('x')).isEmpty();
    }

    @Test
    void heldTextThatIsNotAStopIsReleased() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of("\nclass"));
        List<String> out = deltas(d, "a\nb");
        assertThat(out).containsExactly("a", "", "\nb", "");
        assertThat(d.stopped()).isFalse();
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of("END", "\n\n"));
        assertThat(String.join("", deltas(d, "x\n\nEND"))).isEqualTo("x");
    }

    @Test
    void incompleteUtf8AtTheEndBecomesReplacementCharacter() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of());
        assertThat(d.push(0xE2)).isEmpty();
        assertThat(d.push(0x82)).isEmpty();
        assertThat(d.finish()).isEqualTo("\uFFFD");
    }

    @Test
    void specialTokensProduceNoText() {
        StreamingDetokenizer d = new StreamingDetokenizer(tok, List.of());
        assertThat(d.push(tok.endOfTextId().getAsInt())).isEmpty();
        assertThat(d.push('a')).isEqualTo("a");
    }
}
