package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.KvCacheFullException;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.TokenStream;
import dev.kiln.core.tokenizer.ByteTokenizer;
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
                GptConfig.builder()
                        .optArch(GptConfig.Arch.GPT2)
                        .setVocabSize(TOK.vocabSize())
                        .setContextLength(32)
                        .optDModel(32)
                        .optHeads(4)
                        .optLayers(2)
                        .build(),
                CFG,
                GptConfig.builder()
                        .setVocabSize(TOK.vocabSize())
                        .setContextLength(32)
                        .optDModel(32)
                        .optHeads(4)
                        .optKvHeads(2)
                        .optLayers(2)
                        .build(),
                GptConfig.builder()
                        .setVocabSize(TOK.vocabSize())
                        .setContextLength(32)
                        .optDModel(32)
                        .optHeads(4)
                        .optKvHeads(1)
                        .optLayers(2)
                        .optQkvBias(true)
                        .optTiedEmbeddings(false)
                        .build());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("variants")
    void cachedBatchedDecodingMatchesFullRecomputation(GptConfig cfg) {
        try (GptModel model = GptModel.create(cfg, 5, Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, TOK, "tiny", false)) {
            // Decoding runs on packed weights (where MKL has them); the full pass on the ordinary ones.
            assertThat(lm.packedWeightBytes() > 0).isEqualTo(dev.kiln.train.PackedWeightsTestSupport.mklPlatform());
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
                // The late prompt's step: decodes and its chunk in one pass, two attention groups.
                assertThat(lm.batch.lastGroups)
                        .as("attention groups of step %d", stepNo)
                        .isEqualTo(stepNo == 2 ? 2 : 1);
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

    /** The forward pass's logit-row selection returns exactly those rows of the full logits. */
    @Test
    void selectedLogitRowsEqualTheFullPassRows() {
        try (GptModel model = GptModel.create(CFG, 5, Device.cpu());
                NDManager m = model.manager().newSubManager()) {
            int[][] ids = {{3, 1, 4, 1, 5}, {9, 2, 6, 5, 3}};
            float[] full = model.forward(m.create(ids), false).toFloatArray();
            NDArray bias = GptModel.causalMask(5, m);
            NDArray rows = m.create(new long[] {4, 5, 7});
            GptModel.KvCache noPast = new GptModel.KvCache() {
                @Override
                public NDArray[] append(int layer, NDArray k, NDArray v) {
                    return new NDArray[] {k, v};
                }

                @Override
                public NDArray bias() {
                    return bias;
                }

                @Override
                public NDArray logitRows() {
                    return rows;
                }
            };
            NDArray picked = model.forward(m.create(ids), null, false, noPast);
            int v = CFG.vocabSize();
            assertThat(picked.getShape().getShape()).containsExactly(3L, v);
            float[] got = picked.toFloatArray();
            long[] want = {4, 5, 7};
            for (int r = 0; r < want.length; r++) {
                float[] expected = Arrays.copyOfRange(full, (int) want[r] * v, (int) (want[r] + 1) * v);
                assertThat(maxDiff(expected, Arrays.copyOfRange(got, r * v, (r + 1) * v)))
                        .isLessThan(1e-5);
            }
        }
    }

    @Test
    void sessionsOfVeryDifferentLengthsDecodeTogether() {
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(256)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(2)
                .optLayers(1)
                .build();
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

    /** Greedy tokens of each prompt, decoded together, with prompts prefilled in chunks of {@code chunk}. */
    static List<List<Integer>> decodeAll(GptLanguageModel lm, int[][] prompts, int chunk, int steps) {
        List<GptLanguageModel.Session> sessions = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        for (int[] p : prompts) {
            sessions.add((GptLanguageModel.Session) lm.open(p, SamplingParams.GREEDY, steps));
            out.add(new ArrayList<>());
        }
        int[] limits = new int[prompts.length];
        Arrays.fill(limits, chunk);
        for (int guard = 0; guard < 200 && out.stream().anyMatch(l -> l.size() < steps); guard++) {
            List<GptLanguageModel.Session> active = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                if (out.get(i).size() < steps) {
                    active.add(sessions.get(i));
                    idx.add(i);
                }
            }
            int[] next = lm.step(active, Arrays.copyOf(limits, active.size()));
            for (int j = 0; j < next.length; j++) {
                if (next[j] >= 0) {
                    out.get(idx.get(j)).add(next[j]);
                }
            }
        }
        sessions.forEach(DecodeSession::close);
        return out;
    }

    static GptConfig longer(int kvHeads) {
        return GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(128)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(kvHeads)
                .optLayers(2)
                .build();
    }

    /**
     * A long prompt whose last chunk is a single token, prefilled while short sequences decode:
     * that token is computed in the prompt-chunk group, so the one-token group stays as wide as the
     * decoding sequences (it once joined them, and then every stream's row attended over the whole
     * prompt's width: a step several times slower, the worst stall of the long-prompt benchmark),
     * and its logits equal a full recomputation's. A short prompt's single tokens, which widen
     * nothing, still share the one-token group (no second group).
     */
    @Test
    void aPromptsLastTokenAloneIsPrefilledOutsideTheDecodePass() {
        try (GptModel model = GptModel.create(longer(2), 5, Device.cpu());
                GptLanguageModel lm = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optPrefixCache(false)
                        .optKvCacheTokens(1024)
                        .optBlockSize(8)
                        .build()) {
            List<DecodeSession> sessions = new ArrayList<>();
            for (String p : List.of("int", "class")) {
                sessions.add(lm.open(TOK.encode(p), SamplingParams.GREEDY, 40));
            }
            for (int k = 0; k < 2; k++) {
                lm.step(sessions);
            }
            int[] prompt = TOK.encode("x".repeat(90) + " = y;");
            GptLanguageModel.Session longS = (GptLanguageModel.Session) lm.open(prompt, SamplingParams.GREEDY, 2);
            sessions.add(longS);
            int[] limits = {1, 1, 0};
            int steps = 0;
            while (longS.prefilledTokens() < prompt.length) {
                int left = prompt.length - longS.prefilledTokens();
                limits[2] = left == 1 ? 1 : Math.min(left - 1, 32); // chunks of 32, then the last token alone
                int[] next = lm.step(sessions, limits);
                steps++;
                int widest = Math.max(sessions.get(0).length(), sessions.get(1).length());
                assertThat(lm.batch.lastDecodeWidth)
                        .as("one-token group width at step %d (%d prompt tokens left before it)", steps, left)
                        .isPositive()
                        .isLessThanOrEqualTo(widest);
                assertThat(next[2] >= 0).isEqualTo(left == 1);
            }
            assertThat(steps).isEqualTo(4); // 32 + 32 + 30 + 1
            assertThat(maxDiff(fullLogitsAtLast(model, prompt), longS.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            sessions.remove(longS);
            longS.close();
            // A short prompt's tokens fed one at a time widen nothing: they share the one-token group.
            int[] shortPrompt = TOK.encode("ab");
            GptLanguageModel.Session shortS = (GptLanguageModel.Session) lm.open(shortPrompt, SamplingParams.GREEDY, 2);
            sessions.add(shortS);
            for (int k = 0; k < shortPrompt.length; k++) {
                lm.step(sessions, new int[] {1, 1, 1});
                assertThat(lm.batch.lastGroups)
                        .as("attention groups of short-prompt step %d", k)
                        .isEqualTo(1);
            }
            assertThat(maxDiff(fullLogitsAtLast(model, shortPrompt), shortS.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            for (DecodeSession s : sessions) {
                s.close();
            }
        }
    }

    /**
     * A new request's short prompt arriving in a busy batch joins the one-token rows, one row per
     * token (one attention group, not a second one for a few tokens), as long as
     * the chunk ends the prompt and neither widens the group nor more than doubles its rows; its logits and greedy tokens equal
     * a full recomputation's, and the decoding sequences' tokens are those they get without it. A
     * chunk with more tokens than the group has decode rows keeps its own group.
     */
    @Test
    void aShortPromptInABusyBatchSharesTheDecodePass() {
        try (GptModel model = GptModel.create(longer(2), 11, Device.cpu());
                GptLanguageModel lm = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optPrefixCache(false)
                        .optKvCacheTokens(2048)
                        .optBlockSize(8)
                        .build()) {
            List<String> texts = List.of("int count = 0;", "public void run() {", "return x +", "for (int i");
            List<List<Integer>> alone = new ArrayList<>();
            List<GptLanguageModel.Session> busy = new ArrayList<>();
            for (String t : texts) {
                busy.add((GptLanguageModel.Session) lm.open(TOK.encode(t), SamplingParams.GREEDY, 30));
                alone.add(new ArrayList<>());
            }
            for (int k = 0; k < 3; k++) {
                int[] next = lm.step(busy);
                for (int i = 0; i < next.length; i++) {
                    alone.get(i).add(next[i]);
                }
            }
            int[] prompt = TOK.encode("x=1");
            assertThat(prompt.length).isGreaterThan(1).isLessThanOrEqualTo(busy.size());
            GptLanguageModel.Session late = (GptLanguageModel.Session) lm.open(prompt, SamplingParams.GREEDY, 4);
            List<DecodeSession> all = new ArrayList<>(busy);
            all.add(late);
            int[] next = lm.step(all, new int[] {1, 1, 1, 1, prompt.length});
            assertThat(lm.batch.lastGroups)
                    .as("attention groups of the step that prefilled the short prompt")
                    .isEqualTo(1);
            assertThat(lm.batch.lastDecodeWidth)
                    .isLessThanOrEqualTo(
                            busy.stream().mapToInt(DecodeSession::length).max().orElseThrow());
            assertThat(maxDiff(fullLogitsAtLast(model, prompt), late.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            for (int i = 0; i < busy.size(); i++) {
                alone.get(i).add(next[i]);
            }
            int[] seq = Arrays.copyOf(prompt, prompt.length + 1);
            seq[prompt.length] = next[busy.size()];
            for (int k = 0; k < 2; k++) {
                next = lm.step(all);
                for (int i = 0; i < busy.size(); i++) {
                    alone.get(i).add(next[i]);
                }
                assertThat(maxDiff(fullLogitsAtLast(model, seq), late.lastLogits()))
                        .isLessThanOrEqualTo(1e-4);
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next[busy.size()];
            }
            // The decoding sequences' tokens: the same as each decoding alone, full recomputation.
            for (int i = 0; i < texts.size(); i++) {
                int[] ids = TOK.encode(texts.get(i));
                for (int k = 0; k < alone.get(i).size(); k++) {
                    float[] l = fullLogitsAtLast(model, ids);
                    int arg = 0;
                    for (int v = 1; v < TOK.vocabSize(); v++) {
                        arg = l[v] > l[arg] ? v : arg;
                    }
                    assertThat(alone.get(i).get(k))
                            .as("sequence %d token %d", i, k)
                            .isEqualTo(arg);
                    ids = Arrays.copyOf(ids, ids.length + 1);
                    ids[ids.length - 1] = arg;
                }
            }
            // More prompt tokens than decode rows: the chunk keeps its own group.
            int[] wider = TOK.encode("a + b");
            GptLanguageModel.Session two = (GptLanguageModel.Session) lm.open(wider, SamplingParams.GREEDY, 2);
            lm.step(List.of(busy.get(0), busy.get(1), two), new int[] {1, 1, wider.length});
            assertThat(lm.batch.lastGroups).isEqualTo(2);
            assertThat(maxDiff(fullLogitsAtLast(model, wider), two.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            two.close();
            // A chunk that does not end its prompt (a long prompt's) keeps its own group; the last one joins.
            int[] split = TOK.encode("q;r");
            GptLanguageModel.Session part = (GptLanguageModel.Session) lm.open(split, SamplingParams.GREEDY, 2);
            List<DecodeSession> withPart = new ArrayList<>(busy);
            withPart.add(part);
            lm.step(withPart, new int[] {1, 1, 1, 1, 2});
            assertThat(lm.batch.lastGroups).isEqualTo(2);
            lm.step(withPart, new int[] {1, 1, 1, 1, 2});
            assertThat(lm.batch.lastGroups).isEqualTo(1);
            assertThat(maxDiff(fullLogitsAtLast(model, split), part.lastLogits()))
                    .isLessThanOrEqualTo(1e-4);
            part.close();
            all.forEach(DecodeSession::close);
        }
    }

    @Test
    void chunkedPrefillAndPrefixReuseGiveTheSameGreedyTokens() {
        try (GptModel model = GptModel.create(longer(2), 21, Device.cpu());
                GptLanguageModel plain = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optPrefixCache(false)
                        .optKvCacheTokens(1024)
                        .optBlockSize(8)
                        .build();
                GptLanguageModel cachedLm = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optKvCacheTokens(1024)
                        .optBlockSize(8)
                        .build()) {
            String file = "public final class Foo {\n    private int count;\n    public int next() {\n";
            int[][] prompts = {TOK.encode(file), TOK.encode(file + "        return count"), TOK.encode("x")};
            List<List<Integer>> whole = decodeAll(plain, prompts, Integer.MAX_VALUE, 4);
            // Reference: each prompt alone, full recomputation per token.
            for (int i = 0; i < prompts.length; i++) {
                int[] seq = prompts[i].clone();
                for (int k = 0; k < 4; k++) {
                    float[] l = fullLogitsAtLast(model, seq);
                    int arg = 0;
                    for (int v = 1; v < TOK.vocabSize(); v++) {
                        arg = l[v] > l[arg] ? v : arg;
                    }
                    assertThat(whole.get(i).get(k))
                            .as("prompt %d token %d", i, k)
                            .isEqualTo(arg);
                    seq = Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = arg;
                }
            }
            assertThat(decodeAll(plain, prompts, 7, 4)).isEqualTo(whole);
            KvCacheStats kv = cachedLm.kvCache().orElseThrow();
            assertThat(decodeAll(cachedLm, prompts, 5, 4)).isEqualTo(whole);
            long hitsBefore = kv.prefixHitTokens();
            // Again: the shared file prefix now comes from the cache.
            assertThat(decodeAll(cachedLm, prompts, 5, 4)).isEqualTo(whole);
            assertThat(kv.prefixHitTokens() - hitsBefore).isGreaterThanOrEqualTo(2L * (prompts[0].length / 8 * 8 - 8));
            assertThat(kv.usedBlocks()).isZero();
            assertThat(kv.cachedBlocks()).isPositive();
            assertThat(plain.kvCache().orElseThrow().prefixHitTokens()).isZero();
            assertThat(plain.kvCache().orElseThrow().cachedBlocks()).isZero();
        }
    }

    /**
     * A step in which no session finishes its pending tokens (a long prompt's middle chunk, alone)
     * after a step whose logit rows lay far into a wider pass: it once read the older step's row
     * index, past the new pass's rows, and failed ("index 299 is out of bounds for dimension 0 with
     * size 200", found by {@code PrefillStepBench --chunk-at 200}).
     */
    @Test
    void aChunkThatFinishesNoPromptAfterAWidePassSteps() {
        try (GptModel model = GptModel.create(longer(2), 13, Device.cpu());
                GptLanguageModel lm = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optPrefixCache(false)
                        .optKvCacheTokens(1024)
                        .optBlockSize(8)
                        .build()) {
            List<DecodeSession> wide = new ArrayList<>();
            for (String t : List.of("public static void main(String[] args) {", "int total = a + b + c + d;")) {
                wide.add(lm.open(TOK.encode(t), SamplingParams.GREEDY, 4));
            }
            lm.step(wide); // logit rows at the ends of two long rows
            int[] prompt = TOK.encode("x".repeat(40));
            try (DecodeSession alone = lm.open(prompt, SamplingParams.GREEDY, 2)) {
                int[] next = lm.step(List.of(alone), new int[] {8});
                assertThat(next).containsExactly(-1);
                assertThat(alone.prefilledTokens()).isEqualTo(8);
                lm.step(List.of(alone));
                assertThat(maxDiff(fullLogitsAtLast(model, prompt), ((GptLanguageModel.Session) alone).lastLogits()))
                        .isLessThanOrEqualTo(1e-4);
            }
            wide.forEach(DecodeSession::close);
        }
    }

    @Test
    void kvBudgetIsReservedAndFreedAndNeverOverrun() {
        try (GptModel model = GptModel.create(longer(1), 3, Device.cpu());
                GptLanguageModel lm = GptLanguageModel.builder()
                        .setModel(model)
                        .setTokenizer(TOK)
                        .optKvCacheTokens(64)
                        .optBlockSize(8)
                        .optPrefixCache(false)
                        .build()) {
            KvCacheStats kv = lm.kvCache().orElseThrow();
            assertThat(kv.totalBlocks()).isEqualTo(8);
            DecodeSession a = lm.open(TOK.encode("abcdefghij"), SamplingParams.GREEDY, 20); // 29 positions: 4 blocks
            assertThat(kv.usedBlocks()).isZero();
            lm.step(List.of(a));
            assertThat(kv.usedBlocks()).isEqualTo(2);
            DecodeSession b = lm.open(TOK.encode("klmnopqrstuvwxyz"), SamplingParams.GREEDY, 17); // 32: 4 blocks
            assertThatThrownBy(() -> lm.open(TOK.encode("z"), SamplingParams.GREEDY, 4))
                    .isInstanceOfSatisfying(
                            KvCacheFullException.class,
                            e -> assertThat(e.fitsWhenIdle()).isTrue());
            assertThatThrownBy(() -> lm.open(TOK.encode("z"), SamplingParams.GREEDY, 100))
                    .isInstanceOfSatisfying(
                            KvCacheFullException.class,
                            e -> assertThat(e.fitsWhenIdle()).isFalse())
                    .hasMessageContaining("the whole cache holds 64");
            for (int i = 0; i < 16; i++) {
                lm.step(List.of(a, b));
            }
            assertThat(kv.usedBlocks()).isEqualTo(8);
            a.close();
            b.close();
            assertThat(kv.usedBlocks()).isZero();
            assertThat(kv.freeBlocks()).isEqualTo(8);
            lm.open(TOK.encode("z"), SamplingParams.GREEDY, 4).close();
        }
    }

    /** Packing is on by default, off by the builder or the provider option; a bad option value is one line. */
    @Test
    void packedWeightsAreOnByDefaultAndCanBeTurnedOff() {
        try (GptModel model = GptModel.create(CFG, 5, Device.cpu())) {
            try (GptLanguageModel on = GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .build();
                    GptLanguageModel off = GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optPackedWeights(false)
                            .build();
                    GptLanguageModel byOption = GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optOptions(java.util.Map.of("packed_weights", "false"))
                            .build()) {
                assertThat(on.packedWeightBytes() > 0).isEqualTo(dev.kiln.train.PackedWeightsTestSupport.mklPlatform());
                assertThat(off.packedWeightBytes()).isZero();
                assertThat(byOption.packedWeightBytes()).isZero();
                // Both decode the same greedy tokens.
                int[][] prompts = {TOK.encode("int x = "), TOK.encode("for (")};
                assertThat(decodeAll(on, prompts, 64, 10)).isEqualTo(decodeAll(off, prompts, 64, 10));
            }
            assertThatThrownBy(() -> GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optOptions(java.util.Map.of("packed_weights", "yes")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("option packed_weights must be true or false, got 'yes'");
        }
    }

    /**
     * Helper threads share the packed products of a batched step (a model wide enough that every
     * projection is cut into several column blocks): the same greedy tokens as the calling thread
     * alone; the provider option sets them and a bad value is one line.
     */
    @Test
    void helperThreadsDecodeTheSameTokens() {
        GptConfig wide = GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(32)
                .optDModel(512)
                .optHeads(8)
                .optLayers(1)
                .build();
        try (GptModel model = GptModel.create(wide, 7, Device.cpu())) {
            try (GptLanguageModel alone = GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .build();
                    GptLanguageModel helped = GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optOptions(java.util.Map.of("helper_threads", "1"))
                            .build()) {
                assertThat(alone.helperThreads()).isZero();
                assertThat(helped.helperThreads())
                        .isEqualTo(dev.kiln.train.PackedWeightsTestSupport.mklPlatform() ? 1 : 0);
                // 16 sequences: a decode step's QKV product (16 x 1536 x 512) is large enough to share.
                int[][] prompts = new int[16][];
                for (int i = 0; i < prompts.length; i++) {
                    prompts[i] = TOK.encode("int x" + i + " = ");
                }
                assertThat(decodeAll(helped, prompts, 64, 8)).isEqualTo(decodeAll(alone, prompts, 64, 8));
            }
            assertThatThrownBy(() -> GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optOptions(java.util.Map.of("helper_threads", "-2")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("option helper_threads must be in [0, 64], got '-2'");
            assertThatThrownBy(() -> GptLanguageModel.builder()
                            .setModel(model)
                            .setTokenizer(TOK)
                            .optOptions(java.util.Map.of("helper_threads", "two")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("option helper_threads must be a whole number, got 'two'");
        }
    }
}
