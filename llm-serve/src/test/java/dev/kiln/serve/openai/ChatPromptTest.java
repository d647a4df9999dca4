package dev.kiln.serve.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.ChatTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chat templates rendered by Jinjava exactly as Python's Jinja2 renders them in Hugging Face's
 * {@code apply_chat_template} (golden outputs made with Jinja2 3.1 with {@code trim_blocks} and
 * {@code lstrip_blocks}), and a template's {@code raise_exception} answered as 400.
 */
class ChatPromptTest {

    static String resource(String name) throws IOException {
        try (InputStream in = ChatPromptTest.class.getResourceAsStream("/chat/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(JsonNode n) {
        return ChatPrompt.messages(n);
    }

    @Test
    void templatesRenderAsJinja2RendersThem() throws Exception {
        JsonNode golden = Json.mapper().readTree(resource("expected.json"));
        for (String name : List.of("chatml", "zephyr")) {
            ChatTemplate t = new ChatTemplate(resource(name + ".jinja"), "<s>", "</s>");
            for (int i = 0; i < 2; i++) {
                String expected = golden.get("expected").get(name + "-" + i).asText();
                assertThat(ChatPrompt.render(t, messages(golden.get("messages").get(i))))
                        .as("%s with conversation %d", name, i)
                        .isEqualTo(expected);
            }
        }
        ChatTemplate zephyr = new ChatTemplate(resource("zephyr.jinja"), "<s>", "</s>");
        assertThatThrownBy(() -> ChatPrompt.render(
                        zephyr, messages(Json.mapper().readTree("[{\"role\":\"tool\",\"content\":\"x\"}]"))))
                .isInstanceOfSatisfying(
                        ApiError.BadRequest.class, e -> assertThat(e.param()).isEqualTo("messages"))
                .hasMessageContaining("Only user, system and assistant roles are supported!");
    }
}
