package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifests agree with each other and with the server: their probes answer. */
class DeploymentManifestsTest {

    static final Path DEPLOY = Path.of("deploy");

    static JsonNode yaml(String name) throws IOException {
        return Json.yaml().readTree(Files.readString(DEPLOY.resolve("k8s").resolve(name)));
    }

    @Test
    void probesOfTheDeploymentAnswerOnItsPort() throws Exception {
        JsonNode deployment = yaml("deployment.yaml");
        JsonNode service = yaml("service.yaml");
        JsonNode hpa = yaml("hpa.yaml");
        assertThat(deployment.get("kind").asText()).isEqualTo("Deployment");
        assertThat(service.get("kind").asText()).isEqualTo("Service");
        assertThat(hpa.get("kind").asText()).isEqualTo("HorizontalPodAutoscaler");
        String name = deployment.at("/metadata/name").asText();
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(name);
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(service.at("/spec/selector")).isEqualTo(deployment.at("/spec/template/metadata/labels"));

        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        JsonNode port = container.at("/ports/0");
        int containerPort = port.get("containerPort").asInt();
        assertThat(service.at("/spec/ports/0/targetPort").asText())
                .isIn(port.get("name").asText(), "" + containerPort);
        JsonNode readiness = container.at("/readinessProbe/httpGet");
        JsonNode liveness = container.at("/livenessProbe/httpGet");
        assertThat(readiness.get("port").asText()).isIn(port.get("name").asText(), "" + containerPort);
        assertThat(liveness.get("port").asText()).isIn(port.get("name").asText(), "" + containerPort);
        String readyPath = readiness.get("path").asText();
        String livePath = liveness.get("path").asText();
        assertThat(readyPath).isEqualTo("/ready");
        assertThat(livePath).isEqualTo("/health");
        // The args ask the server for the same port, and the image exposes it.
        assertThat(container.get("args").toString()).contains("\"--port\",\"" + containerPort + "\"");
        assertThat(Files.readString(DEPLOY.resolve("Dockerfile"))).contains("EXPOSE " + containerPort);

        // Start the server on the manifests' port (if another process holds it on this machine,
        // fall back to a free port: the paths are what is under test then).
        int listen = isFree(containerPort) ? containerPort : 0;
        CountDownLatch release = new CountDownLatch(1);
        try (Server server = Server.builder()
                .setModelLoader(() -> {
                    release.await();
                    return TestModels.paced(TestModels.ngram(), 0); // the server closes what it loaded
                })
                .optPort(listen)
                .build()
                .start()) {
            if (listen != 0) {
                assertThat(server.port()).isEqualTo(containerPort);
            }
            URI base = server.url();
            assertThat(Http.get(base, livePath).status()).isEqualTo(200);
            assertThat(Http.get(base, readyPath).status())
                    .as("not ready while loading")
                    .isEqualTo(503);
            release.countDown();
            server.awaitReady(Duration.ofSeconds(30));
            assertThat(Http.get(base, readyPath).status()).isEqualTo(200);
            assertThat(Http.get(base, livePath).status()).isEqualTo(200);
            assertThat(Http.get(base, "/metrics").status()).isEqualTo(200); // the scrape annotation's path
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
