package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.TokenStream;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptLanguageModelTest {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();
    static final GptConfig CFG = GptConfig.builder()
            .setVocabSize(TOK.vocabSize())
            .setContextLength(32)
            .optDModel(32)
            .optHeads(4)
            .optLayers(2)
            .build();

    static float[] fullLogitsAtLast(GptModel model, int[] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(new int[][] {ids}), false)
                    .get(0, ids.length - 1)
                    .toFloatArray();
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Every attention/position variant: GPT-2, Llama (MHA), grouped-query and multi-query, untied with QKV bias. */
    static List<GptConfig> variants() {
        return List.of(
                GptConfig.builder().optArch(GptConfig.Arch.GPT2).setVocabSize(TOK.vocabSize()).setContextLength(32)
                        .optDModel(32).optHeads(4).optLayers(2).build(),
                CFG,
                GptConfig.builder().setVocabSize(TOK.vocabSize()).setContextLength(32)
                        .optDModel(32).optHeads(4).optKvHeads(2).optLayers(2).build(),
                GptConfig.builder().setVocabSize(TOK.vocabSize()).setContextLength(32)
                        .optDModel(32).optHeads(4).optKvHeads(1).optLayers(2).optQkvBias(true)
                        .optTiedEmbeddings(false).build());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("variants")
    void cachedBatchedDecodingMatchesFullRecomputation(GptConfig cfg) {
        try (GptModel model = GptModel.create(cfg, 5, Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, TOK, "tiny", false)) {
            int before = model.manager().getManagedArrays().size();
            int[][] prompts = {TOK.encode("int x = "), TOK.encode("a"), TOK.encode("public static void")};
            SamplingParams sampled = new SamplingParams(1.0, 0.9, 20, 7);
            List<GptLanguageModel.Session> sessions = new ArrayList<>();
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                sessions.add((GptLanguageModel.Session) lm.open(prompts[i], i == 1 ? sampled : SamplingParams.GREEDY));
                seqs.add(prompts[i].clone());
            }
            double worst = 0;
            for (int stepNo = 0; stepNo < 8; stepNo++) {
                // The third session joins late: batches mix prefill and decode.
                List<GptLanguageModel.Session> active = stepNo < 2 ? sessions.subList(0, 2) : sessions;
                int[] next = lm.step(active);
                for (int i = 0; i < active.size(); i++) {
                    float[] full = fullLogitsAtLast(model, seqs.get(i));
                    worst = Math.max(worst, maxDiff(full, active.get(i).lastLogits()));
                    int[] s = seqs.get(i);
                    int[] grown = Arrays.copyOf(s, s.length + 1);
                    grown[s.length] = next[i];
                    seqs.set(i, grown);
                }
            }
            assertThat(worst).isLessThanOrEqualTo(1e-4);
            assertThat(sessions.get(0).generatedCount()).isEqualTo(8);
            assertThat(sessions.get(2).generatedCount()).isEqualTo(6);
            sessions.forEach(DecodeSession::close);
            assertThat(model.manager().getManagedArrays().size()).isEqualTo(before);
            assertThatThrownBy(() -> lm.step(List.of(sessions.get(0)))).hasMessageContaining("closed");
        }
    }

    @Test
    void sessionsOfVeryDifferentLengthsDecodeTogether() {
        GptConfig cfg = GptConfig.builder().setVocabSize(TOK.vocabSize()).setContextLength(256)
                .optDModel(32).optHeads(4).optKvHeads(2).optLayers(1).build();
        try (GptModel model = GptModel.create(cfg, 2, Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, TOK, "tiny", false)) {
            int[] longPrompt = TOK.encode("x".repeat(200));
            GptLanguageModel.Session a = (GptLanguageModel.Session) lm.open(longPrompt, SamplingParams.GREEDY);
            GptLanguageModel.Session b = (GptLanguageModel.Session) lm.open(TOK.encode("int"), SamplingParams.GREEDY);
            int[] seqB = TOK.encode("int");
            for (int i = 0; i < 3; i++) {
                int[] next = lm.step(List.of(a, b));
                seqB = Arrays.copyOf(seqB, seqB.length + 1);
                seqB[seqB.length - 1] = next[1];
            }
            assertThat(maxDiff(fullLogitsAtLast(model, Arrays.copyOf(seqB, seqB.length - 1)), b.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            a.close();
            b.close();
        }
    }

    @Test
    void seedsReproduceAndGreedyIsStable() {
        try (GptModel model = GptModel.create(CFG, 9, Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, TOK, "tiny", false)) {
            GenerationRequest r = GenerationRequest.builder()
                    .setPrompt("class A {")
                    .optMaxTokens(12)
                    .optTemperature(1.0)
                    .optTopP(0.95)
                    .optSeed(3)
                    .build();
            List<Integer> a = ids(lm.generate(r));
            List<Integer> b = ids(lm.generate(r));
            assertThat(a).hasSize(12).isEqualTo(b);
            GenerationRequest greedy = GenerationRequest.builder()
                    .setPrompt("class A {")
                    .optMaxTokens(10)
                    .build();
            assertThat(ids(lm.generate(greedy))).isEqualTo(ids(lm.generate(greedy)));
            TokenStream s = lm.generate(greedy);
            s.next();
            s.cancel();
            assertThat(s.hasNext()).isFalse();
            assertThat(s.finishReason())
                    .hasValueSatisfying(f -> assertThat(f.name()).isEqualTo("CANCELLED"));
            double[] scores = lm.score(TOK.encode("int i;"));
            assertThat(scores).hasSize(5);
            assertThat(Arrays.stream(scores).max().getAsDouble()).isNegative();
        }
    }

    static List<Integer> ids(TokenStream s) {
        List<Integer> out = new ArrayList<>();
        while (s.hasNext()) {
            int id = s.next().id();
            if (id >= 0) {
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void providerOpensCheckpointDirectory(@TempDir Path dir) throws Exception {
        float[] expected;
        try (GptModel model = GptModel.create(CFG, 11, Device.cpu())) {
            ModelDir.write(dir, model, TOK);
            expected = fullLogitsAtLast(model, TOK.encode("x"));
        }
        try (LanguageModel lm = LanguageModels.open(dir.toString())) {
            assertThat(lm).isInstanceOf(GptLanguageModel.class);
            assertThat(lm.contextLength()).isEqualTo(32);
            try (DecodeSession s = lm.open(TOK.encode("x"), SamplingParams.GREEDY)) {
                lm.step(List.of(s));
                assertThat(((GptLanguageModel.Session) s).lastLogits()).containsExactly(expected);
            }
        }
        assertThatThrownBy(() -> LanguageModels.open(dir.resolve("missing").toString()))
                .hasMessageContaining("no model provider");
    }
}
