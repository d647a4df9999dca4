package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataPiiCommandTest {

    @TempDir
    Path dir;

    @Test
    void redactsJsonlKeepingFields() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(
                in,
                "{\"id\":\"1\",\"content\":\"key AKIAQ3EGRIPSTJZ6XZ7A by bob@acme.io\",\"repo\":\"r\"}\n"
                        + "{\"id\":\"2\",\"content\":\"clean\"}\n");
        Path out = dir.resolve("out.jsonl");
        StringWriter stdout = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setOut(new PrintWriter(stdout));
        int rc = cl.execute("data", "pii", "--input", in.toString(), "--output", out.toString());
        assertThat(rc).isZero();
        assertThat(stdout.toString()).contains("2 rows").contains("key=1").contains("email=1");
        List<String> lines = Files.readAllLines(out);
        JsonNode row = Json.parse(lines.get(0));
        assertThat(row.get("content").asText()).isEqualTo("key <KEY> by <EMAIL>");
        assertThat(row.get("repo").asText()).isEqualTo("r");
        assertThat(row.get("pii").get(0).get("type").asText()).isEqualTo("key");
        assertThat(row.get("pii").get(0).get("start").asInt()).isEqualTo(4);
        assertThat(Json.parse(lines.get(1)).get("pii").size()).isZero();
    }

    @Test
    void badInputIsOneLineNoStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(
                "data",
                "pii",
                "--input",
                dir.resolve("missing.jsonl").toString(),
                "--output",
                dir.resolve("o.jsonl").toString());
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("no such file").doesNotContain("\tat ");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }
}
