package dev.kiln.examples;

import dev.kiln.core.model.LanguageModels;
import dev.kiln.serve.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Serves a model over an OpenAI-compatible HTTP API ({@code POST /v1/completions} with streaming
 * and fill-in-the-middle via {@code suffix}, {@code GET /v1/models}, {@code /metrics}, a playground
 * at {@code /}) with continuous batching, until Ctrl-C.
 *
 * <pre>
 * java -cp 'examples/target/kiln-cli.jar:examples/target/lib/*' dev.kiln.examples.ServeModel \
 *     kiln-quickstart/train/checkpoints 8000
 * curl -s localhost:8000/v1/completions -H 'Content-Type: application/json' \
 *     -d '{"prompt": "public int size() {", "max_tokens": 32}'
 * </pre>
 *
 * With a third argument {@code --once} it answers one completion request of its own, prints it and
 * stops (a smoke test).
 */
public final class ServeModel {

    private ServeModel() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ServeModel MODEL_DIR|URL PORT [--once]");
            System.exit(2);
        }
        String model = args[0];
        Server server = Server.builder()
                .setModelLoader(() -> LanguageModels.open(model)) // loaded in the background
                .optHost("127.0.0.1")
                .optPort(Integer.parseInt(args[1])) // 0 = any free port
                .optMaxBatchSize(16)
                .optShutdownDeadline(Duration.ofSeconds(10))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close)); // drains on Ctrl-C / SIGTERM
        server.awaitReady(Duration.ofMinutes(5));
        System.out.println("serving '" + server.modelId() + "' at " + server.url() + "/v1");
        if (args.length > 2 && args[2].equals("--once")) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"prompt\": \"public int size() {\", \"max_tokens\": 16}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            System.out.println("POST /v1/completions -> " + r.statusCode() + " " + r.body());
            server.close();
            return;
        }
        server.join();
    }
}
