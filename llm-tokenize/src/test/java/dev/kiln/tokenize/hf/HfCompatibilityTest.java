package dev.kiln.tokenize.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.TestCorpus;
import dev.kiln.tokenize.TextArbitraries;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Kiln's encoder and Hugging Face's Rust encoder (DJL's binding, offline) give exactly the same ids. */
class HfCompatibilityTest {

    static BpeTokenizer code;
    static BpeTokenizer gpt2;
    static HfTokenizer hfCode;
    static HfTokenizer hfGpt2;

    @BeforeContainer
    static void load() throws Exception {
        Path dir = Files.createTempDirectory("kiln-hf");
        code = TestCorpus.smallTokenizer();
        code.save(dir.resolve("code.json"));
        gpt2 = BpeTrainer.builder()
                .setVocabSize(1200)
                .optPreTokenizer(PreTokenizer.gpt2())
                .optSpecialTokens(SpecialTokens.of("<|endoftext|>", "<pad>"))
                .build()
                .trainTexts(TestCorpus.texts());
        gpt2.save(dir.resolve("gpt2.json"));
        hfCode = HfTokenizer.load(dir.resolve("code.json"));
        hfGpt2 = HfTokenizer.load(dir.resolve("gpt2.json"));
    }

    @AfterContainer
    static void close() {
        hfCode.close();
        hfGpt2.close();
    }

    @Provide
    Arbitrary<String> texts() {
        return TextArbitraries.text(80);
    }

    @Property(tries = 1000)
    void codeVariantSameIds(@ForAll("texts") String text) {
        assertThat(code.encode(text)).isEqualTo(hfCode.encode(text));
    }

    @Property(tries = 1000)
    void gpt2VariantSameIds(@ForAll("texts") String text) {
        assertThat(gpt2.encode(text)).isEqualTo(hfGpt2.encode(text));
    }

    @Example
    void realSourceFilesSameIds() throws Exception {
        for (Path f : TestCorpus.files()) {
            String src = Files.readString(f);
            assertThat(code.encode(src)).as(f.toString()).isEqualTo(hfCode.encode(src));
            assertThat(gpt2.encode(src)).as(f.toString()).isEqualTo(hfGpt2.encode(src));
        }
    }

    @Example
    void specialTokensAndLoneSurrogates() {
        String text = "a<|endoftext|>b<fim_prefix>x\uD800y\uDFFF";
        assertThat(code.encode(text)).isEqualTo(hfCode.encode(text));
        assertThat(hfCode.encode(text)).contains(256);
    }

    @Example
    void batchSameIds() {
        var texts = TestCorpus.texts();
        var ours = code.encodeBatch(texts);
        var theirs = hfCode.encodeBatch(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(ours.get(i)).isEqualTo(theirs.get(i));
        }
    }

    @Example
    void kilnReadsAHandWrittenHfFile() throws Exception {
        // GPT-2 style: bytes ordered as bytes_to_unicode, merges as [a, b] arrays (tokenizers >= 0.20)
        String json =
                "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":262,\"content\":\"<|endoftext|>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                        + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                        + "\"trim_offsets\":true,\"use_regex\":true},\"post_processor\":null,"
                        + "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
                        + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,"
                        + "\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":"
                        + byteVocab()
                        + ",\"merges\":[[\"Ġ\",\"t\"],[\"h\",\"e\"],[\"Ġt\",\"he\"],[\"i\",\"n\"],[\"Ġ\",\"in\"],[\"a\",\"t\"]]}}";
        Path f = Files.createTempDirectory("kiln-hf").resolve("tokenizer.json");
        Files.writeString(f, json);
        BpeTokenizer kiln = BpeTokenizer.load(f);
        try (HfTokenizer hf = HfTokenizer.load(f)) {
            for (String s : new String[] {"the cat in the hat<|endoftext|>", " the thin in", "ünïcödé at 42"}) {
                assertThat(kiln.encode(s)).as(s).isEqualTo(hf.encode(s));
            }
        }
        assertThat(kiln.encode(" the")).hasSize(1);
    }

    /** 256 byte tokens in bytes_to_unicode order (ids 0..255), then the 6 merged tokens. */
    private static String byteVocab() {
        StringBuilder sb = new StringBuilder("{");
        int id = 0;
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int b = '!'; b <= '~'; b++) order.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) order.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) order.add(b);
        int n = 0;
        java.util.Map<Integer, Character> map = new java.util.HashMap<>();
        for (int b = 0; b < 256; b++) {
            map.put(b, order.contains(b) ? (char) b : (char) (256 + n++));
        }
        for (int b = 0; b < 256; b++) {
            if (!order.contains(b)) order.add(b);
        }
        for (int b : order) {
            String s = String.valueOf(map.get(b));
            sb.append(
                    com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                                            .quoteAsString(s)
                                            .length
                                    > 0
                            ? "\""
                                    + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                                            .quoteAsString(s))
                                    + "\""
                            : "\"\"");
            sb.append(':').append(id++).append(',');
        }
        for (String t : new String[] {"Ġt", "he", "Ġthe", "in", "Ġin", "at"}) {
            sb.append('"').append(t).append("\":").append(id++).append(',');
        }
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }
}
