package dev.kiln.tokenize.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.TestCorpus;
import dev.kiln.tokenize.TextArbitraries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every tokenizer.json feature Kiln implements encodes and decodes exactly as Hugging Face's Rust
 * library (DJL's binding): small files, each exercising features of published tokenizers (GPT-2's
 * and RoBERTa's added-token flags, Llama 3's BOS template, Qwen2's NFC normalizer, non-special
 * added tokens), compared on feature-heavy and random texts, with and without special tokens.
 */
class HfFidelityTest {

    static final Map<String, BpeTokenizer> KILN = new LinkedHashMap<>();
    static final Map<String, HuggingFaceTokenizer> HF = new LinkedHashMap<>();
    static Path dir;

    /** Texts that hit every feature: added tokens next to words, spaces, tabs, case and compatibility forms. */
    static final List<String> FEATURE_TEXTS = List.of(
            "",
            "public void run() { return; }",
            "x <mask> y",
            "x   <mask>   y",
            "x\t<mask>\n\n<mask><mask> end",
            "[X] a[X] [X]b ([X]) _[X] [X]",
            "é[X] [X]é 4[X] [X]-",
            "before<r>   after<r>\tz",
            "Hello World HELLO WORLD hello world",
            "ﬁle ＡＢＣ ½ café café",
            "İstanbul ΣΑΣ",
            "<|endoftext|>public class A {}<fim_prefix>x<fim_suffix>",
            "todo: fixme TODO: FIXME",
            "todo:fixme");

    @BeforeContainer
    static void load() throws Exception {
        dir = Files.createTempDirectory("kiln-hf-fidelity");
        BpeTokenizer base = TestCorpus.smallTokenizer();
        Path basePath = dir.resolve("base.json");
        base.save(basePath);
        ObjectNode root = (ObjectNode) Json.mapper().readTree(basePath.toFile());
        int vocab = root.path("model").path("vocab").size();

        // GPT-2 / RoBERTa style flags, special and not
        ObjectNode flags = root.deepCopy();
        ArrayNode added = (ArrayNode) flags.get("added_tokens");
        added.add(token("<mask>", vocab, true, false, true, false, false));
        added.add(token("[X]", vocab + 1, false, true, false, false, false));
        added.add(token("<r>", vocab + 2, true, false, false, true, false));
        added.add(token("todo:", vocab + 3, false, false, false, false, true));
        save("flags", flags);

        // Qwen2 style: NFC normalizer; plus lowercase and NFKC, with a normalized added token
        ObjectNode norm = root.deepCopy();
        ObjectNode seq = norm.putObject("normalizer");
        seq.put("type", "Sequence");
        ArrayNode list = seq.putArray("normalizers");
        list.addObject().put("type", "NFKC");
        list.addObject().put("type", "Lowercase");
        ((ArrayNode) norm.get("added_tokens")).add(token("hello world", vocab, false, false, false, false, true));
        ((ArrayNode) norm.get("added_tokens")).add(token("FIXME", vocab + 1, false, false, false, false, false));
        save("normalizer", norm);

        ObjectNode nfc = root.deepCopy();
        nfc.putObject("normalizer").put("type", "NFC");
        save("nfc", nfc);

        // Llama 3 style: Sequence[ByteLevel, TemplateProcessing(BOS $A)], plus an EOS
        ObjectNode tmpl = root.deepCopy();
        int eot = base.specialTokens().get("<|endoftext|>");
        int pad = base.specialTokens().get("<fim_pad>");
        ObjectNode pp = tmpl.putObject("post_processor");
        pp.put("type", "Sequence");
        ArrayNode procs = pp.putArray("processors");
        ObjectNode bl = procs.addObject();
        bl.put("type", "ByteLevel");
        bl.put("add_prefix_space", false);
        bl.put("trim_offsets", true);
        bl.put("use_regex", true);
        ObjectNode t = procs.addObject();
        t.put("type", "TemplateProcessing");
        ArrayNode single = t.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "<fim_pad>").put("type_id", 0);
        ArrayNode pair = t.putArray("pair");
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode sp = t.putObject("special_tokens");
        special(sp, "<|endoftext|>", eot);
        special(sp, "<fim_pad>", pad);
        save("template", tmpl);

        // RoBERTa's post-processor
        ObjectNode rob = root.deepCopy();
        ObjectNode rp = rob.putObject("post_processor");
        rp.put("type", "RobertaProcessing");
        rp.putArray("sep").add("<fim_pad>").add(pad);
        rp.putArray("cls").add("<|endoftext|>").add(eot);
        rp.put("trim_offsets", true);
        rp.put("add_prefix_space", false);
        save("roberta", rob);
    }

    static ObjectNode token(
            String content,
            int id,
            boolean special,
            boolean singleWord,
            boolean lstrip,
            boolean rstrip,
            boolean normalized) {
        ObjectNode a = Json.mapper().createObjectNode();
        a.put("id", id);
        a.put("content", content);
        a.put("single_word", singleWord);
        a.put("lstrip", lstrip);
        a.put("rstrip", rstrip);
        a.put("normalized", normalized);
        a.put("special", special);
        return a;
    }

    static void special(ObjectNode sp, String name, int id) {
        ObjectNode o = sp.putObject(name);
        o.put("id", name);
        o.putArray("ids").add(id);
        o.putArray("tokens").add(name);
    }

    static void save(String name, JsonNode json) throws Exception {
        Path f = dir.resolve(name + ".json");
        Files.write(f, Json.mapper().writeValueAsBytes(json));
        KILN.put(name, BpeTokenizer.load(f));
        HF.put(name, HuggingFaceTokenizer.newInstance(f, Map.of("truncation", "false", "padding", "false")));
        // what Kiln writes back is the same tokenizer
        Path again = dir.resolve(name + ".saved.json");
        KILN.get(name).save(again);
        assertThat(BpeTokenizer.load(again).hash()).isEqualTo(KILN.get(name).hash());
    }

    @AfterContainer
    static void close() {
        HF.values().forEach(HuggingFaceTokenizer::close);
    }

    static int[] hfIds(String name, String text, boolean addSpecial) {
        long[] l = HF.get(name).encode(text, addSpecial, false).getIds();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    static void same(String name, String text) {
        BpeTokenizer k = KILN.get(name);
        for (boolean addSpecial : new boolean[] {false, true}) {
            int[] ids = k.encode(text, addSpecial);
            assertThat(ids)
                    .as("%s, add_special_tokens=%s: %s", name, addSpecial, text)
                    .isEqualTo(hfIds(name, text, addSpecial));
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                l[i] = ids[i];
            }
            assertThat(k.decode(ids))
                    .as("%s decode: %s", name, text)
                    .isEqualTo(HF.get(name).decode(l, false));
        }
        assertThat(k.encode(text)).isEqualTo(k.encode(text, true));
    }

    @Example
    void featureTextsEncodeAndDecodeAsHuggingFace() {
        for (String name : KILN.keySet()) {
            for (String text : FEATURE_TEXTS) {
                same(name, text);
            }
            for (String text : TestCorpus.texts().subList(0, 5)) {
                same(name, text);
            }
        }
    }

    @Provide
    Arbitrary<String> mixed() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                TextArbitraries.text(12),
                Arbitraries.of(
                        "<mask>",
                        "[X]",
                        "<r>",
                        "todo:",
                        "TODO:",
                        "hello world",
                        "Hello World",
                        "FIXME",
                        "fixme",
                        "<|endoftext|>",
                        " ",
                        "\t",
                        "\n",
                        "  ",
                        "a",
                        "_",
                        "é",
                        "ﬁ",
                        "Σ"));
        return Combinators.combine(
                        pieces.list().ofMaxSize(12),
                        Arbitraries.of(KILN.keySet().toArray(new String[0])))
                .as((l, n) -> n + "\u0000" + String.join("", l));
    }

    @Property(tries = 400)
    void randomTextsWithFeaturesEncodeAsHuggingFace(@ForAll("mixed") String nameAndText) {
        int z = nameAndText.indexOf('\u0000');
        String text = HfTokenizer.clean(nameAndText.substring(z + 1));
        same(nameAndText.substring(0, z), text);
    }

    @Example
    void isSpecialOnlyForSpecialAddedTokens() {
        BpeTokenizer k = KILN.get("flags");
        assertThat(k.isSpecial(k.encode("<mask>")[0])).isTrue();
        int x = k.encode("[X]")[0];
        assertThat(k.isSpecial(x)).isFalse();
        assertThat(k.specialTokens()).doesNotContainKey("[X]").containsKey("<mask>");
        assertThat(k.encodeOrdinary("[X]")).containsExactly(x);
        assertThat(k.encodeOrdinary("<mask>")).hasSizeGreaterThan(1);
        assertThat(KILN.get("template").prefixIds())
                .containsExactly(k.specialTokens().get("<|endoftext|>"));
    }

    @Example
    void whatKilnDoesNotImplementIsRejectedNamingTheField() throws Exception {
        ObjectNode root =
                (ObjectNode) Json.mapper().readTree(dir.resolve("base.json").toFile());
        List<Object[]> cases = new ArrayList<>();
        ObjectNode bert = root.deepCopy();
        bert.putObject("normalizer").put("type", "BertNormalizer");
        cases.add(new Object[] {bert, "normalizer"});
        ObjectNode regex = root.deepCopy();
        ObjectNode rep = regex.putObject("normalizer");
        rep.put("type", "Replace");
        rep.putObject("pattern").put("Regex", "\\s+");
        rep.put("content", " ");
        cases.add(new Object[] {regex, "regular expressions"});
        ObjectNode pairB = root.deepCopy();
        ObjectNode tp = pairB.putObject("post_processor");
        tp.put("type", "TemplateProcessing");
        tp.putArray("single").addObject().putObject("Sequence").put("id", "B");
        cases.add(new Object[] {pairB, "post_processor"});
        ObjectNode trunc = root.deepCopy();
        trunc.putObject("truncation").put("max_length", 512);
        cases.add(new Object[] {trunc, "truncation"});
        ObjectNode badId = root.deepCopy();
        ((ArrayNode) badId.get("added_tokens")).add(token("<new>", 5000, true, false, false, false, false));
        cases.add(new Object[] {badId, "Hugging Face's library gives it id"});
        ObjectNode prefix = root.deepCopy();
        ObjectNode pre =
                (ObjectNode) prefix.get("pre_tokenizer").get("pretokenizers").get(1);
        pre.put("add_prefix_space", true);
        cases.add(new Object[] {prefix, "pre_tokenizer"});
        for (Object[] c : cases) {
            Path f = dir.resolve("bad.json");
            Files.write(f, Json.mapper().writeValueAsBytes(c[0]));
            assertThatThrownBy(() -> BpeTokenizer.load(f))
                    .isInstanceOf(CorruptArtifactException.class)
                    .hasMessageContaining((String) c[1])
                    .hasMessageContaining(f.toString());
        }
    }
}
