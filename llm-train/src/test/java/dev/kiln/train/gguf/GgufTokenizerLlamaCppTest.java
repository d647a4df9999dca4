package dev.kiln.train.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp tokenizes held-out code to the same ids as Kiln: a BPE tokenizer is trained in the
 * test on the JDK's {@code java.util} sources (its {@code src.zip}), exported inside a GGUF, and
 * llama.cpp encodes {@code java.io} and {@code java.net} sources (never seen in training) plus
 * edge cases (digit runs, Unicode numbers and letters, whitespace runs, contractions), for both of
 * Kiln's pre-tokenizers ({@code code} → llama.cpp's {@code starcoder}, {@code gpt2} → {@code
 * gpt-2}). A greedy continuation through the merged vocabulary is checked as well.
 */
class GgufTokenizerLlamaCppTest {

    static final List<String> EDGE_CASES = List.of(
            "x = 1234567890; y=3.14e-10\n",
            "int  a   =  42 ;\n\n\n    return   a;  \t\n",
            "naïve café — Ünïcödé: ½ ² ٣ ⅷ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚 中文字符 日本語\u00a0nbsp\u3000ideographic",
            "it's we're they've I'm you'll he'd 'S 'T\r\n\r\n",
            "   leading and trailing   ",
            "emoji 🙂👍🏽 tabs\t\t\tand\u2028separators\u2029");

    @Test
    void heldOutCodeTokenizesToKilnsIds(@TempDir Path dir) throws Exception {
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        assertThat(srcZip).as("the JDK's sources").isRegularFile();
        List<String> train = new ArrayList<>();
        List<String> heldOut = new ArrayList<>(EDGE_CASES);
        try (ZipFile zip = new ZipFile(srcZip.toFile())) {
            read(zip, "java.base/java/util/", 600_000, train);
            read(zip, "java.base/java/io/", 150_000, heldOut);
            read(zip, "java.net.http/", 100_000, heldOut);
        }
        List<BpeTokenizer> toks = List.of(train(PreTokenizer.code(), train), train(PreTokenizer.gpt2(), train));
        List<Map<String, Object>> runs = new ArrayList<>();
        List<int[]> kilnGreedy = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (BpeTokenizer tok : toks) {
            GptConfig c = GptConfig.builder()
                    .setVocabSize(tok.vocabSize())
                    .setContextLength(64)
                    .optDModel(32)
                    .optHeads(2)
                    .optLayers(1)
                    .build();
            Path gguf = dir.resolve(tok.preTokenizer().name() + ".gguf");
            int[] prompt = tok.encode("public int size() {\n        return");
            try (GptModel m = GptModel.fromValues(c, GgufLlamaCppTest.randomValues(c, 11), Device.cpu())) {
                GgufExport.export(
                        m,
                        tok,
                        gguf,
                        GgufExport.Dtype.F32,
                        "bpe-" + tok.preTokenizer().name());
                kilnGreedy.add(
                        GgufLlamaCppTest.kilnGreedy(m, tok, List.of(prompt), 24).get(0));
            }
            prompts.add(prompt);
            Map<String, Object> run = GgufLlamaCppTest.run(gguf, List.of(prompt), 24);
            run.put("tokenize", heldOut);
            runs.add(run);
        }
        JsonNode answer =
                LlamaCpp.run(dir, Map.of("threads", 1, "runs", runs)); // 1: spin barriers crawl on a loaded machine
        for (int t = 0; t < toks.size(); t++) {
            BpeTokenizer tok = toks.get(t);
            JsonNode run = answer.get("runs").get(t);
            long tokens = 0;
            for (int i = 0; i < heldOut.size(); i++) {
                int[] kiln = tok.encodeOrdinary(heldOut.get(i));
                tokens += kiln.length;
                assertThat(LlamaCpp.ints(run.get("tokenized").get(i)))
                        .as(
                                "pre-tokenizer %s, text %d: %s",
                                tok.preTokenizer().name(),
                                i,
                                heldOut.get(i)
                                        .substring(
                                                0, Math.min(80, heldOut.get(i).length())))
                        .containsExactly(kiln);
            }
            assertThat(tokens).as("held-out tokens").isGreaterThan(50_000);
            assertThat(LlamaCpp.ints(run.get("generated").get(0)))
                    .as(
                            "greedy continuation, pre-tokenizer %s",
                            tok.preTokenizer().name())
                    .containsExactly(kilnGreedy.get(t));
        }
    }

    static BpeTokenizer train(PreTokenizer pre, List<String> texts) {
        return BpeTrainer.builder()
                .setVocabSize(2048)
                .optPreTokenizer(pre)
                .optSpecialTokens(SpecialTokens.codeDefaults())
                .optThreads(2)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofSeconds(60)))
                .build()
                .train(texts);
    }

    /** Appends whole {@code .java} files under {@code prefix}, in name order, up to about {@code budget} chars. */
    static void read(ZipFile zip, String prefix, int budget, List<String> out) throws IOException {
        List<? extends ZipEntry> entries = zip.stream()
                .filter(e -> e.getName().startsWith(prefix) && e.getName().endsWith(".java"))
                .sorted((a, b) -> a.getName().compareTo(b.getName()))
                .toList();
        int total = 0;
        for (ZipEntry e : entries) {
            if (total >= budget) {
                break;
            }
            String text = new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
            out.add(text);
            total += text.length();
        }
    }
}
