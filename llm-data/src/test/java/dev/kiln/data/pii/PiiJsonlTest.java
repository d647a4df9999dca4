package dev.kiln.data.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PiiJsonlTest {

    @TempDir
    Path dir;

    @Test
    void keepsEveryFieldRedactsContentAndAddsSpans() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(
                in,
                String.join(
                                "\n",
                                "{\"id\":\"a\",\"content\":\"mail ana@corp.io\",\"path\":\"x.py\",\"stars\":3,\"meta\":{\"k\":[1,2]}}",
                                "",
                                "{\"id\":\"b\",\"content\":\"nothing here\",\"extra\":null}")
                        + "\n");
        Path out = dir.resolve("sub/out.jsonl");
        PiiJsonl.Stats stats = PiiJsonl.redact(in, out, PiiRedactor.create());
        assertThat(stats.rows()).isEqualTo(2);
        assertThat(stats.redactedRows()).isEqualTo(1);
        assertThat(stats.byType()).containsEntry("email", 1L);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        JsonNode a = Json.parse(lines.get(0));
        assertThat(a.get("content").asText()).isEqualTo("mail <EMAIL>");
        assertThat(a.get("path").asText()).isEqualTo("x.py");
        assertThat(a.get("stars").asInt()).isEqualTo(3);
        assertThat(a.get("meta").get("k").size()).isEqualTo(2);
        assertThat(a.get("pii").get(0).get("type").asText()).isEqualTo("email");
        assertThat(a.get("pii").get(0).get("start").asInt()).isEqualTo(5);
        assertThat(a.get("pii").get(0).get("end").asInt()).isEqualTo(16);
        JsonNode b = Json.parse(lines.get(1));
        assertThat(b.get("pii").size()).isZero();
        assertThat(b.has("extra")).isTrue();
    }

    @Test
    void badRowsNameTheFileAndLine() throws Exception {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"content\":\"ok\"}\n{\"text\":\"no content\"}\n");
        assertThatThrownBy(() -> PiiJsonl.redact(in, dir.resolve("o.jsonl"), PiiRedactor.create()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.jsonl line 2")
                .hasMessageContaining("content");
        assertThat(dir.resolve("o.jsonl")).doesNotExist();
        Files.writeString(in, "{not json\n");
        assertThatThrownBy(() -> PiiJsonl.redact(in, dir.resolve("o.jsonl"), PiiRedactor.create()))
                .hasMessageContaining("line 1: not JSON");
    }
}
