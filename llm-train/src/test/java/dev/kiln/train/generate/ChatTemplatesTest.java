package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.model.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat template of a Hugging Face model directory, in each of the layouts transformers writes. */
class ChatTemplatesTest {

    @Test
    void readsEachLayout(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplates.read(dir)).isEmpty();
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"eos_token\": \"<|im_end|>\"}");
        assertThat(ChatTemplates.read(dir)).isEmpty();
        Files.writeString(
                cfg,
                "{\"chat_template\": \"{{ messages[0]['content'] }}\", \"bos_token\": null,"
                        + " \"eos_token\": {\"content\": \"</s>\", \"lstrip\": false}}");
        assertThat(ChatTemplates.read(dir)).contains(new ChatTemplate("{{ messages[0]['content'] }}", "", "</s>"));
        Files.writeString(
                cfg,
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
                        + " {\"name\": \"default\", \"template\": \"D\"}], \"bos_token\": \"<s>\"}");
        assertThat(ChatTemplates.read(dir)).contains(new ChatTemplate("D", "<s>", ""));
        Files.writeString(dir.resolve("chat_template.jinja"), "J");
        assertThat(ChatTemplates.read(dir)).contains(new ChatTemplate("J", "<s>", ""));
        Files.writeString(cfg, "{\"chat_template\": ");
        assertThatThrownBy(() -> ChatTemplates.read(dir))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("tokenizer_config.json");
    }
}
