package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.tokenizer.ByteTokenizer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A built server keeps the settings it was built with: its builder is not read while it runs. */
class ServerBuilderTest {

    @Test
    void changingTheBuilderAfterBuildLeavesTheServerAsBuilt() throws Exception {
        NgramLanguageModel m = NgramLanguageModel.train(
                ByteTokenizer.withCodeSpecials(),
                List.of("int add(int a, int b) { return a + b; }\n".repeat(4)),
                4,
                256);
        // Paced, so that the first sequence of a request still runs when its second is submitted.
        LanguageModel paced = TestModels.paced(m, 20_000_000);
        Server.Builder b = Server.builder()
                .setModel(paced)
                .optPort(0)
                .optModelId("as-built")
                .optMaxChoices(4)
                .optMaxBodyBytes(2048)
                .optMaxBatchSize(8)
                .optMaxQueueSize(0);
        Server server = b.build();
        // Every one of these would break one of the checks below if the server read its builder.
        b.setModel(m)
                .optModelId("changed")
                .optMaxChoices(1)
                .optMaxBodyBytes(1 << 20)
                .optMaxBatchSize(1)
                .optApiKeys(List.of("secret"));
        try (Server s = server.start().awaitReady(Duration.ofSeconds(30))) {
            assertThat(s.modelId()).isEqualTo("as-built");
            assertThat(s.engine().models()).containsExactly(paced);
            assertThat(Http.get(s.url(), "/v1/models")
                            .json()
                            .get("data")
                            .get(0)
                            .get("id")
                            .asText())
                    .isEqualTo("as-built");

            // n = 3: within the built max choices (4) and batch size (8, queue 0), so 200 and 3 choices.
            Http.Response three =
                    Http.post(s.url(), "/v1/completions", "{\"prompt\":\"int \",\"n\":3,\"max_tokens\":4}");
            assertThat(three.status()).as(three.body()).isEqualTo(200);
            assertThat(three.json().get("choices")).hasSize(3);

            Http.Response big =
                    Http.post(s.url(), "/v1/completions", "{\"prompt\":\"" + "a".repeat(4000) + "\",\"max_tokens\":1}");
            assertThat(big.status()).as(big.body()).isEqualTo(413);
        }
    }
}
