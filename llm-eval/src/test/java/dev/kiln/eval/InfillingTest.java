package dev.kiln.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.eval.exec.PythonExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfillingTest {

    @TempDir
    Path tmp;

    @Test
    void tasksRebuildTheCanonicalProgram() {
        List<Infilling.Task> tasks = Infilling.singleLine(HumanEval.python());
        assertThat(tasks.size()).isGreaterThan(900);
        for (Infilling.Task t : tasks.subList(0, 50)) {
            Problem p = t.problem();
            assertThat(t.program(t.middle())).isEqualTo(p.program(p.canonicalSolution()));
            assertThat(t.middle()).endsWith("\n").doesNotContain("\n\n");
        }
    }

    @Test
    void scoresExactMatchAndExecutionThroughAFimEndpoint() throws Exception {
        ProblemSet set = HumanEval.python().limit(2);
        List<Infilling.Task> tasks = Infilling.singleLine(set);
        // A server that knows the answers for even tasks and answers a wrong line otherwise.
        Map<String, String> answers = new HashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            Infilling.Task t = tasks.get(i);
            String indent = t.middle()
                    .substring(
                            0, t.middle().length() - t.middle().stripLeading().length());
            answers.put(
                    t.prefix() + "\u0000" + t.suffix(), i % 2 == 0 ? t.middle() : indent + "raise ValueError('no')\n");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/completions", ex -> {
            JsonNode req = Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String text = answers.getOrDefault(
                    req.path("prompt").asText() + "\u0000" + req.path("suffix").asText(), "???\n");
            byte[] b = ("{\"choices\":[{\"text\":" + Json.toLine(text + "    more\n")
                            + ",\"finish_reason\":\"stop\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try (LanguageModel m = LanguageModels.open(
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", Map.of("model", "fim"));
                PythonExecutor py = PythonExecutor.builder().build()) {
            Infilling.Summary s = Infilling.evaluate(m, tasks, py, tmp);
            int even = (tasks.size() + 1) / 2;
            assertThat(s.tasks()).isEqualTo(tasks.size());
            assertThat(s.exactMatch()).isEqualTo(even / (double) tasks.size());
            List<String> rows = Files.readAllLines(tmp.resolve("infill-results.jsonl"));
            int passedExact = 0;
            for (int i = 0; i < rows.size(); i++) {
                JsonNode r = Json.parse(rows.get(i));
                if (i % 2 == 0) {
                    assertThat(r.get("exact_match").asBoolean()).isTrue();
                    assertThat(r.get("passed").asBoolean()).as(r.toString()).isTrue();
                    passedExact++;
                }
            }
            assertThat(s.passRate()).isGreaterThanOrEqualTo(passedExact / (double) tasks.size());
            assertThat(s.passRate()).isLessThan(1.0);
        } finally {
            server.stop(0);
        }
    }
}
