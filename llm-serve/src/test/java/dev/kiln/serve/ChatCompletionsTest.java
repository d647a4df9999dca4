package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.ChatTemplate;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptModel;
import dev.kiln.train.generate.GptLanguageModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/chat/completions}: the chat response shapes, streamed and not, the same tokens as a
 * completion of the rendered prompt, and 400 for a model without a template (the rendering itself:
 * {@code openai.ChatPromptTest}).
 */
class ChatCompletionsTest {

    static String resource(String name) throws IOException {
        try (InputStream in = ChatCompletionsTest.class.getResourceAsStream("/chat/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void chatCompletionsStreamAndNotAndWithoutTemplate() throws Exception {
        ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
        try (GptModel gpt = TestModels.tinyGpt(256, 32, 4, 4, 2, 3);
                GptLanguageModel chatModel = GptLanguageModel.builder()
                        .setModel(gpt)
                        .setTokenizer(tok)
                        .optId("tiny-chat")
                        .optKvCacheTokens(2048)
                        .optChatTemplate(new ChatTemplate(resource("chatml.jinja"), "", ""))
                        .build();
                GptLanguageModel plain = GptLanguageModel.builder()
                        .setModel(gpt)
                        .setTokenizer(tok)
                        .optId("tiny")
                        .optKvCacheTokens(2048)
                        .build();
                Server chat =
                        Server.builder().setModel(chatModel).optPort(0).build().start();
                Server noChat =
                        Server.builder().setModel(plain).optPort(0).build().start()) {
            chat.awaitReady(Duration.ofSeconds(30));
            noChat.awaitReady(Duration.ofSeconds(30));
            URI base = chat.url();
            String body = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Sort a list\"}],"
                    + "\"max_tokens\":5,\"temperature\":0}";
            Http.Response r = Http.post(base, "/v1/chat/completions", body);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode j = r.json();
            assertThat(j.get("object").asText()).isEqualTo("chat.completion");
            assertThat(j.get("id").asText()).startsWith("chatcmpl-");
            JsonNode choice = j.get("choices").get(0);
            assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
            String content = choice.get("message").get("content").asText();
            // The prompt the template laid out, then the same greedy tokens as a plain completion of it.
            String rendered = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                    + "Sort a list<|im_end|>\n<|im_start|>assistant\n";
            assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(tok.encode(rendered).length);
            Http.Response plainR = Http.post(
                    base,
                    "/v1/completions",
                    "{\"prompt\":" + Json.toLine(rendered) + ",\"max_tokens\":5,\"temperature\":0}");
            assertThat(plainR.json().get("choices").get(0).get("text").asText()).isEqualTo(content);

            String streamBody = body.substring(0, body.length() - 1) + ",\"stream\":true}";
            Http.Response s = Http.post(base, "/v1/chat/completions", streamBody);
            assertThat(s.status()).isEqualTo(200);
            List<JsonNode> chunks = new ArrayList<>();
            for (String line : s.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    chunks.add(Json.mapper().readTree(line.substring(6)));
                }
            }
            assertThat(s.body()).contains("data: [DONE]");
            assertThat(chunks)
                    .allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
            assertThat(chunks.get(0)
                            .get("choices")
                            .get(0)
                            .get("delta")
                            .get("role")
                            .asText())
                    .isEqualTo("assistant");
            StringBuilder streamed = new StringBuilder();
            for (JsonNode c : chunks) {
                streamed.append(
                        c.get("choices").get(0).get("delta").path("content").asText(""));
            }
            assertThat(streamed.toString()).isEqualTo(content);
            assertThat(chunks.get(chunks.size() - 1)
                            .get("choices")
                            .get(0)
                            .get("finish_reason")
                            .asText())
                    .isEqualTo("length");

            Http.Response bad = Http.post(base, "/v1/chat/completions", "{\"messages\":[]}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("non-empty array");
            Http.Response none = Http.post(noChat.url(), "/v1/chat/completions", body.replace("tiny-chat", "tiny"));
            assertThat(none.status()).isEqualTo(400);
            assertThat(none.json().get("error").get("message").asText())
                    .isEqualTo("model 'tiny' has no chat template (no chat_template in its tokenizer_config.json),"
                            + " so it cannot chat; use /v1/completions");
        }
    }
}
