package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.Sampler;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tokens a batched step draws are the ones the Java sampler draws from the same logits and seeds. */
class BatchSamplingTest {

    @Test
    void batchDrawsMatchTheSamplerOnTheSameLogitsAndSeeds() {
        // A model vocabulary wider than the tokenizer's: only the tokenizer's ids may be drawn.
        int vocab = GptLanguageModelTest.TOK.vocabSize();
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(vocab + 7)
                .setContextLength(64)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(2)
                .optLayers(2)
                .build();
        List<SamplingParams> params = List.of(
                new SamplingParams(0.7, 1, 0, 11),
                new SamplingParams(1.3, 1, 0, 12),
                new SamplingParams(0, 1, 0, 0), // greedy: the session's own argmax
                new SamplingParams(1.0, 0.9, 0, 13), // top-p: the session's own sampler
                new SamplingParams(2.5, 1, 0, 14));
        try (GptModel model = GptModel.create(cfg, 5, Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, GptLanguageModelTest.TOK, "tiny", false)) {
            List<DecodeSession> sessions = new ArrayList<>();
            List<SplittableRandom> mirrors = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                // Prompts of different lengths: some finish prefilling in a later step than others.
                int[] prompt = GptLanguageModelTest.TOK.encode("class A" + "x".repeat(i * 3) + " {");
                sessions.add(lm.open(prompt, params.get(i), 40));
                mirrors.add(new SplittableRandom(params.get(i).seed()));
            }
            Sampler sampler = new Sampler(cfg.vocabSize());
            int[] limits = {4, 4, 4, 4, 4};
            int drawn = 0;
            for (int step = 0; step < 40; step++) {
                int[] next = lm.step(sessions, limits);
                for (int i = 0; i < next.length; i++) {
                    if (next[i] < 0) {
                        continue;
                    }
                    float[] logits = ((GptLanguageModel.Session) sessions.get(i)).lastLogits();
                    int expected = sampler.sample(logits, 0, vocab, params.get(i), mirrors.get(i));
                    assertThat(next[i]).as("session %s step %s", i, step).isEqualTo(expected);
                    assertThat(next[i]).isLessThan(vocab);
                    drawn++;
                }
            }
            assertThat(drawn).isGreaterThan(150);
            sessions.forEach(DecodeSession::close);
        }
    }
}
