package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class BpeTokenizerTest {

    private final BpeTokenizer tok = TestCorpus.smallTokenizer();

    @Provide
    Arbitrary<String> texts() {
        return TextArbitraries.text(60);
    }

    static List<Integer> list(int[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toList());
    }

    @Property(tries = 500)
    void encodeOrdinaryMatchesTextbookBpe(@ForAll("texts") String text) {
        assertThat(list(tok.encodeOrdinary(text))).isEqualTo(new ReferenceBpe(tok).encode(text));
    }

    @Property(tries = 500)
    void decodeInvertsEncode(@ForAll("texts") String text) {
        assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
    }

    @Example
    void loneSurrogatesBecomeReplacementCharacter() {
        String text = "a\uD800b\uDC00c";
        assertThat(tok.decode(tok.encode(text))).isEqualTo("a\uFFFDb\uFFFDc");
        assertThat(tok.encode(text)).isEqualTo(tok.encode("a\uFFFDb\uFFFDc"));
    }

    @Example
    void realSourceFilesMatchTextbookBpe() throws Exception {
        ReferenceBpe ref = new ReferenceBpe(tok);
        for (Path f : TestCorpus.files().subList(0, 5)) {
            String src = Files.readString(f);
            assertThat(list(tok.encodeOrdinary(src))).as(f.toString()).isEqualTo(ref.encode(src));
        }
    }

    @Example
    void trainedTokenizerCompresses() {
        String src = String.join("\n", TestCorpus.texts());
        int[] ids = tok.encode(src);
        double bytesPerToken = (double) src.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / ids.length;
        assertThat(bytesPerToken).isGreaterThan(2.5);
        assertThat(tok.vocabSize()).isLessThanOrEqualTo(1000).isGreaterThan(990);
        assertThat(tok.specialTokenId("<|endoftext|>")).hasValue(256);
    }

    @Example
    void longRunsAreNotQuadratic() {
        // 1 MB pieces: the heap path. Operations must stay within a small multiple of n log n.
        for (String unit : new String[] {"a", " ", "ab", "é", "."}) {
            String text = unit.repeat((1 << 20) / unit.length());
            long before = tok.operations();
            int[] ids = tok.encode(text);
            long ops = tok.operations() - before;
            double n = text.length();
            assertThat((double) ops).as(unit).isLessThan(40 * n * (Math.log(n) / Math.log(2)));
            assertThat(tok.decode(ids)).isEqualTo(text);
        }
        // and the heap path agrees with the textbook algorithm on long pieces
        String mid = "abracadabra".repeat(200) + "aaaa".repeat(300);
        assertThat(list(tok.encodeOrdinary(mid))).isEqualTo(new ReferenceBpe(tok).encode(mid));
    }

    @Example
    void specialTokens() {
        int eot = tok.endOfTextId().getAsInt();
        int[] ids = tok.encode("x<|endoftext|>y");
        assertThat(ids).contains(eot);
        assertThat(tok.encodeOrdinary("x<|endoftext|>y")).doesNotContain(eot);
        assertThat(tok.decode(tok.encodeOrdinary("x<|endoftext|>y"))).isEqualTo("x<|endoftext|>y");
        assertThat(tok.encode("a<fim_prefix>b", Set.of("<fim_prefix>"), Set.of()))
                .contains(tok.specialTokenId("<fim_prefix>").getAsInt());
        assertThat(tok.encode("a<|endoftext|>", Set.of("<fim_prefix>"), Set.of()))
                .doesNotContain(eot);
        assertThatThrownBy(() -> tok.encode("a<|endoftext|>", Set.of(), Set.of("<|endoftext|>")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<|endoftext|>");
        assertThat(tok.fimTemplate()).isPresent();
        assertThat(tok.isSpecial(eot)).isTrue();
        assertThat(tok.isSpecial(65)).isFalse();
    }

    @Example
    void batchEqualsSingle() {
        List<String> texts = TestCorpus.texts();
        List<int[]> batch = tok.encodeBatch(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch.get(i)).isEqualTo(tok.encode(texts.get(i)));
        }
        assertThat(tok.cacheHitRate()).isGreaterThan(0.5);
    }

    @Property(tries = 200)
    void offsetsCoverTheText(@ForAll("texts") String text) {
        BpeTokenizer.Encoding e = tok.encodeWithOffsets(text);
        assertThat(e.ids()).isEqualTo(tok.encode(text));
        int prevStart = 0;
        int prevEnd = 0;
        for (int i = 0; i < e.size(); i++) {
            assertThat(e.start(i)).isLessThanOrEqualTo(e.end(i));
            // spans move forward and leave no gap (tokens inside one character share its span)
            assertThat(e.start(i)).isGreaterThanOrEqualTo(prevStart).isLessThanOrEqualTo(prevEnd);
            assertThat(e.end(i)).isGreaterThanOrEqualTo(prevEnd);
            prevStart = e.start(i);
            prevEnd = e.end(i);
        }
        if (e.size() > 0) {
            assertThat(e.end(e.size() - 1)).isEqualTo(text.length());
        }
    }

    @Example
    void asciiOffsetsAreExact() {
        String text = "int x = 42; // hello<|endoftext|>world";
        BpeTokenizer.Encoding e = tok.encodeWithOffsets(text);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < e.size(); i++) {
            String piece = text.substring(e.start(i), e.end(i));
            assertThat(piece).isEqualTo(tok.tokenText(e.ids()[i]));
            sb.append(piece);
        }
        assertThat(sb.toString()).isEqualTo(text);
    }

    @Example
    void saveAndLoadRoundTrip() throws Exception {
        Path dir = Files.createTempDirectory("kiln-tok");
        Path f = dir.resolve("tokenizer.json");
        tok.save(f);
        BpeTokenizer back = BpeTokenizer.load(f);
        assertThat(back.hash()).isEqualTo(tok.hash());
        assertThat(back.vocabSize()).isEqualTo(tok.vocabSize());
        assertThat(back.specialTokens()).isEqualTo(tok.specialTokens());
        String src = TestCorpus.texts().get(0);
        assertThat(back.encode(src)).isEqualTo(tok.encode(src));
        assertThat(back.preTokenizer()).isSameAs(PreTokenizer.code());
    }

    @Example
    void digitsPreTokenizerReadsAsTheCodeVariant() throws Exception {
        Path f = Files.createTempDirectory("kiln-tok").resolve("tokenizer.json");
        tok.save(f);
        String json = Files.readString(f);
        int a = json.indexOf("{", json.indexOf("\"pretokenizers\""));
        int b = json.indexOf("}", json.indexOf("\"invert\"", a)) + 1;
        Files.writeString(
                f, json.substring(0, a) + "{\"type\": \"Digits\", \"individual_digits\": true}" + json.substring(b));
        BpeTokenizer back = BpeTokenizer.load(f);
        assertThat(back.preTokenizer()).isSameAs(PreTokenizer.code());
        assertThat(back.hash()).isEqualTo(tok.hash());
    }

    @Example
    void malformedFilesAreClearErrors() throws Exception {
        Path dir = Files.createTempDirectory("kiln-tok");
        Path f = dir.resolve("tokenizer.json");
        tok.save(f);
        String good = Files.readString(f);
        check(dir, "{ not json", "not valid JSON");
        check(dir, "[]", "must be a JSON object");
        check(dir, good.replace("\"type\" : \"BPE\"", "\"type\" : \"WordPiece\""), "model type 'WordPiece'");
        check(
                dir,
                good.replace("\"normalizer\" : null", "\"normalizer\" : {\"type\":\"BertNormalizer\"}"),
                "normalizer");
        check(dir, good.replace("\"type\" : \"Sequence\"", "\"type\" : \"Whitespace\""), "pre_tokenizer");
        check(dir, good.replace("\"merges\" : [ \"", "\"merges\" : [ \"zz@@ q\", \""), "merge #0");
        check(
                dir,
                "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\u4e2d\": 0}, \"merges\": []}, "
                        + "\"pre_tokenizer\": {\"type\":\"ByteLevel\"}}",
                "byte-level alphabet");
    }

    private static void check(Path dir, String json, String problem) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json);
        assertThatThrownBy(() -> BpeTokenizer.load(f))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining(problem);
    }
}
