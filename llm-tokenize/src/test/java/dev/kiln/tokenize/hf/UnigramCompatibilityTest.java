package dev.kiln.tokenize.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.tokenize.TestCorpus;
import dev.kiln.tokenize.TextArbitraries;
import dev.kiln.tokenize.UnigramTokenizer;
import dev.kiln.tokenize.UnigramTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Kiln's Unigram trainer writes a tokenizer.json that Hugging Face's library (DJL's binding) loads
 * and encodes held-out code with to exactly Kiln's ids; decoding gives the text back.
 */
class UnigramCompatibilityTest {

    static UnigramTokenizer tok;
    static HuggingFaceTokenizer hf;
    static Path file;

    @BeforeContainer
    static void train() throws Exception {
        tok = UnigramTrainer.builder()
                .setVocabSize(1500)
                .optSeedSize(100_000)
                .optThreads(2)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofHours(1)))
                .build()
                .trainTexts(TestCorpus.texts());
        file = Files.createTempDirectory("kiln-unigram").resolve("tokenizer.json");
        tok.save(file);
        hf = HuggingFaceTokenizer.newInstance(file, Map.of("truncation", "false", "padding", "false"));
    }

    @AfterContainer
    static void close() {
        hf.close();
    }

    /** llm-tokenize's own sources: code the tokenizer never saw (it trained on llm-core and llm-data). */
    static List<String> heldOut() throws Exception {
        try (Stream<Path> s = Files.walk(TestCorpus.repoRoot().resolve("llm-tokenize/src/main/java"))) {
            List<String> out = new ArrayList<>();
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
                out.add(Files.readString(f));
            }
            return out;
        }
    }

    static int[] hfIds(String text) {
        long[] l = hf.encode(text, false, false).getIds();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    @Example
    void heldOutCodeEncodesToHuggingFacesIdsAndDecodesBack() throws Exception {
        long tokens = 0;
        long chars = 0;
        for (String text : heldOut()) {
            int[] ids = tok.encode(text);
            assertThat(ids).isEqualTo(hfIds(text));
            // a literal ▁ decodes as a space, as in Hugging Face's decoder
            assertThat(tok.decode(ids)).isEqualTo(text.replace('\u2581', ' '));
            tokens += ids.length;
            chars += text.length();
        }
        // a real vocabulary, not characters (every space is its own piece boundary, as in Metaspace)
        assertThat((double) tokens / chars).isLessThan(0.65);
        assertThat(tok.vocabSize()).isLessThanOrEqualTo(1500).isGreaterThan(1400);
        assertThat(UnigramTokenizer.load(file).hash()).isEqualTo(tok.hash());
    }

    @Example
    void anyCharacterEncodesByByteFallbackAndSpecialsAreSpecial() {
        String text = "x = \"\u4e2d\u6587 \uD83D\uDE00\"<|endoftext|>\u0000";
        int[] ids = tok.encode(text);
        assertThat(ids).isEqualTo(hfIds(text));
        assertThat(tok.decode(ids)).isEqualTo(text);
        assertThat(ids).doesNotContain(tok.unknownId());
        int eot = tok.specialTokens().get("<|endoftext|>");
        assertThat(ids).contains(eot);
        assertThat(tok.isSpecial(eot)).isTrue();
        assertThat(tok.encodeOrdinary("<|endoftext|>")).doesNotContain(eot);
    }

    @Provide
    Arbitrary<String> texts() {
        return TextArbitraries.text(40);
    }

    @Property(tries = 300)
    void randomTextsEncodeAsHuggingFace(@ForAll("texts") String raw) {
        String text = HfTokenizer.clean(raw);
        assertThat(tok.encode(text)).isEqualTo(hfIds(text));
        assertThat(tok.encode(raw)).isEqualTo(tok.encode(text));
    }

    @Example
    void unsupportedFeaturesAreRejected() throws Exception {
        String good = Files.readString(file);
        Path bad = file.resolveSibling("bad.json");
        Files.writeString(bad, good.replace("\"prepend_scheme\" : \"never\"", "\"prepend_scheme\" : \"always\""));
        assertThatThrownBy(() -> UnigramTokenizer.load(bad))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("pre_tokenizer");
        Files.writeString(bad, good.replace("\"byte_fallback\" : true", "\"byte_fallback\" : false"));
        assertThatThrownBy(() -> UnigramTokenizer.load(bad))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("byte_fallback");
    }
}
