package dev.kiln.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GenerationTest {

    private static final String CODE = """
            public static int add(int a, int b) {
                return a + b;
            }

            public static int sub(int a, int b) {
                return a - b;
            }
            """;

    private final ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
    private final NgramLanguageModel model = NgramLanguageModel.train(tok, List.of(CODE, CODE, CODE), 8, 256);

    @Test
    void greedyContinuesMemorisedCode() {
        Generation g = model.generate(GenerationRequest.builder()
                        .setPrompt("public static int add(int a, int b) {\n    return")
                        .optMaxTokens(8)
                        .build())
                .collect();
        assertThat(g.text()).isEqualTo(" a + b;\n");
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.completionTokens()).isEqualTo(8);
    }

    @Test
    void stopStringsEndGenerationWithoutBeingEmitted() {
        Generation g = model.generate(GenerationRequest.builder()
                        .setPrompt("public static int add(")
                        .optMaxTokens(100)
                        .optStop(List.of("\n}"))
                        .build())
                .collect();
        assertThat(g.text()).isEqualTo("int a, int b) {\n    return a + b;");
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        GenerationRequest.Builder b =
                GenerationRequest.builder().setPrompt("public").optMaxTokens(40).optTemperature(1.5);
        String a1 = model.generate(b.optSeed(1).build()).collect().text();
        String a2 = model.generate(b.optSeed(1).build()).collect().text();
        assertThat(a1).isEqualTo(a2);
        List<String> others = new ArrayList<>();
        for (int s = 2; s < 8; s++) {
            others.add(model.generate(b.optSeed(s).build()).collect().text());
        }
        assertThat(others).anyMatch(o -> !o.equals(a1));
    }

    @Test
    void cancellationEndsTheStreamAtTheNextStep() {
        TokenStream s = model.generate(GenerationRequest.builder()
                .setPrompt("public")
                .optMaxTokens(100)
                .build());
        assertThat(s.hasNext()).isTrue();
        s.next();
        s.cancel();
        assertThat(s.hasNext()).isFalse();
        assertThat(s.finishReason()).contains(FinishReason.CANCELLED);
    }

    @Test
    void fillInTheMiddleUsesTheFimTemplate() {
        GenerationRequest r =
                GenerationRequest.builder().setPrompt("int a").optSuffix("b;").build();
        int[] ids = r.resolvePromptIds(model);
        assertThat(ids[0]).isEqualTo(tok.specialTokenId(Tokenizer.FIM_PREFIX).getAsInt());
        assertThat(ids[ids.length - 1])
                .isEqualTo(tok.specialTokenId(Tokenizer.FIM_MIDDLE).getAsInt());
    }

    @Test
    void promptsLongerThanTheContextAreRejectedWithTheNumbers() {
        String longPrompt = "x".repeat(300);
        assertThatThrownBy(() -> model.generate(
                        GenerationRequest.builder().setPrompt(longPrompt).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300 tokens")
                .hasMessageContaining("256");
    }

    @Test
    void lengthStopsAtTheContextEvenIfMaxTokensIsLarger() {
        Generation g = model.generate(GenerationRequest.builder()
                        .setPrompt("x".repeat(250))
                        .optMaxTokens(1000)
                        .optStopAtEndOfText(false)
                        .build())
                .collect();
        assertThat(g.completionTokens()).isEqualTo(6);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void batchedStepsEqualSingleSteps() {
        int[] p1 = tok.encode("public static int");
        int[] p2 = tok.encode("return a");
        DecodeSession a = model.open(p1, SamplingParams.GREEDY);
        DecodeSession b = model.open(p2, SamplingParams.GREEDY);
        int[] batched = new int[10];
        for (int i = 0; i < 5; i++) {
            int[] r = model.step(List.of(a, b));
            batched[2 * i] = r[0];
            batched[2 * i + 1] = r[1];
        }
        DecodeSession a2 = model.open(p1, SamplingParams.GREEDY);
        DecodeSession b2 = model.open(p2, SamplingParams.GREEDY);
        int[] single = new int[10];
        for (int i = 0; i < 5; i++) {
            single[2 * i] = model.step(List.of(a2))[0];
        }
        for (int i = 0; i < 5; i++) {
            single[2 * i + 1] = model.step(List.of(b2))[0];
        }
        assertThat(batched).containsExactly(single);
        assertThat(a.generatedCount()).isEqualTo(5);
        assertThat(a.lastLogprob()).isLessThanOrEqualTo(0);
    }

    @Test
    void scoresAreLogProbabilitiesThatPreferSeenCode() {
        double seen = Arrays.stream(model.score(tok.encode("return a + b;"))).sum();
        double unseen = Arrays.stream(model.score(tok.encode("zq#@!xv%^&(k"))).sum();
        assertThat(seen).isLessThan(0).isGreaterThan(unseen);
    }

    @Test
    void samplerHonoursTopKAndTopP() {
        Sampler sampler = new Sampler(4);
        float[] logits = {0f, 3f, 2.9f, -5f};
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            int k1 = sampler.sample(logits, 0, 4, new SamplingParams(1.0, 1.0, 1, 0), rng);
            assertThat(k1).isEqualTo(1);
            int k2 = sampler.sample(logits, 0, 4, new SamplingParams(1.0, 1.0, 2, 0), rng);
            assertThat(k2).isIn(1, 2);
            int p = sampler.sample(logits, 0, 4, new SamplingParams(1.0, 0.5, 0, 0), rng);
            assertThat(p).isEqualTo(1);
        }
        assertThat(sampler.sample(logits, 0, 4, SamplingParams.GREEDY, rng)).isEqualTo(1);
        double z = Math.log(Math.exp(0) + Math.exp(3) + Math.exp(2.9) + Math.exp(-5));
        assertThat(sampler.lastLogprob()).isCloseTo(3 - z, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void theLogprobIsComputedOnDemandFromTheLogitsOfTheLastDraw() {
        Sampler sampler = new Sampler(4);
        float[] logits = {0f, 3f, 2.9f, -5f, 7f}; // the last entry lies outside the sampled range
        double z = Math.log(Math.exp(0) + Math.exp(3) + Math.exp(2.9) + Math.exp(-5));
        int k = sampler.sample(logits, 0, 4, new SamplingParams(0.7, 1.0, 0, 11), new SplittableRandom(5));
        assertThat(sampler.lastLogprob()).isCloseTo(logits[k] - z, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(Sampler.logprob(logits, 0, 4, k)).isEqualTo(sampler.lastLogprob());
        assertThat(Sampler.logprob(logits, 1, 4, 3)).isCloseTo(-0.0343, org.assertj.core.data.Offset.offset(1e-3));
        assertThatThrownBy(() -> Sampler.logprob(logits, 0, 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token 4 is outside [0, 4)");
    }
}
