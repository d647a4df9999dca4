package dev.kiln.serve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacedLanguageModelTest {

    @Test
    void everyStepLastsAtLeastTheMinimumAndYieldsTheWrappedModelsTokens() {
        LanguageModel paced = PacedLanguageModel.of(EngineTest.NGRAM, Duration.ofMillis(20));
        int[] prompt = EngineTest.NGRAM.tokenizer().encode("public ");
        try (DecodeSession a = paced.open(prompt, SamplingParams.GREEDY);
                DecodeSession b = EngineTest.NGRAM.open(prompt, SamplingParams.GREEDY)) {
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                int[] got = paced.step(List.of(a));
                long took = System.nanoTime() - t0;
                assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
                assertThat(got).isEqualTo(EngineTest.NGRAM.step(List.of(b)));
            }
        }
        assertThat(paced.id()).isEqualTo(EngineTest.NGRAM.id());
        assertThat(paced.contextLength()).isEqualTo(EngineTest.NGRAM.contextLength());
        paced.close(); // leaves the wrapped model usable
        assertThat(EngineTest.NGRAM
                        .generate(GenerationRequest.builder()
                                .setPromptIds(prompt)
                                .optMaxTokens(3)
                                .optStopAtEndOfText(false)
                                .build())
                        .collect()
                        .tokenIds())
                .hasSize(3);
    }

    @Test
    void badArgumentsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> PacedLanguageModel.of(EngineTest.NGRAM, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> PacedLanguageModel.of(null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
