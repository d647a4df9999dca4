package dev.kiln.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.serve.Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The quickstart's last stage: serve the checkpoint and complete a Java snippet (FIM) over HTTP. */
final class ServeStage {

    private final Settings s;

    ServeStage(Settings s) {
        this.s = s;
    }

    Quickstart.StageResult serve(Path ckpt, String[] completion) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try (Server server = Server.builder()
                .setModelLoader(
                        () -> LanguageModels.open(ckpt.toString(), Map.of("threads", String.valueOf(s.threads()))))
                .optHost("127.0.0.1")
                .optPort(0)
                .build()
                .start()) {
            server.awaitReady(Duration.ofMinutes(5));
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("model", server.modelId());
            body.put("prompt", Quickstart.FIM_PREFIX);
            body.put("suffix", Quickstart.FIM_SUFFIX);
            body.put("max_tokens", 32);
            body.put("temperature", 0);
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(server.url() + "/v1/completions");
            HttpResponse<String> resp = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Json.toLine(body), StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (resp.statusCode() != 200) {
                throw new IOException("POST " + uri + " answered " + resp.statusCode() + ": " + resp.body());
            }
            completion[0] =
                    Json.parse(resp.body()).path("choices").path(0).path("text").asText();
            s.say("serve: POST %s (FIM) -> 200", uri);
            s.say("serve: ---- prefix + [middle] + suffix ----");
            s.say("%s[%s]%s", Quickstart.FIM_PREFIX, completion[0], Quickstart.FIM_SUFFIX.stripTrailing());
            String detail = "FIM over HTTP on " + server.url() + ": " + Json.toLine(completion[0]);
            return new Quickstart.StageResult("serve", false, Settings.secondsSince(t0), detail, null);
        }
    }
}
