package dev.kiln.train.gguf;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * llama.cpp through the npm package {@code node-llama-cpp} (prebuilt CPU binaries), installed by
 * {@code .ci/setup.d/llama-cpp.sh} into {@code KILN_LLAMA_CPP_DIR} (default {@code
 * /opt/kiln-node/llama-cpp}). With {@code CI=true} a missing install fails the test; elsewhere it
 * skips it.
 */
final class LlamaCpp {

    static final String VERSION = "3.21.1";
    static final String SETUP_SCRIPT = ".ci/setup.d/llama-cpp.sh";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LlamaCpp() {}

    static Path installDir() {
        String env = System.getenv("KILN_LLAMA_CPP_DIR");
        return Path.of(env == null || env.isBlank() ? "/opt/kiln-node/llama-cpp" : env);
    }

    /** The install directory, or a failed (CI) / skipped (elsewhere) test when it is missing. */
    static Path requireInstalled() {
        Path dir = installDir();
        Path pkg = dir.resolve("node_modules/node-llama-cpp/package.json");
        String problem = null;
        if (!Files.isRegularFile(pkg)) {
            problem = "node-llama-cpp is not installed in " + dir;
        } else {
            try {
                String text = Files.readString(pkg);
                if (!text.contains("\"version\": \"" + VERSION + "\"")) {
                    problem = dir + " holds a node-llama-cpp other than " + VERSION;
                }
            } catch (IOException e) {
                problem = "cannot read " + pkg + ": " + e.getMessage();
            }
        }
        if (problem != null) {
            String msg = problem + "; run " + SETUP_SCRIPT + " (or set KILN_LLAMA_CPP_DIR)";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return dir;
    }

    /** Runs the node script with {@code request} (see llama-cpp-run.mjs) and returns its JSON answer. */
    static JsonNode run(Path work, Map<String, Object> request) throws Exception {
        Path dir = requireInstalled();
        Path script = work.resolve("llama-cpp-run.mjs");
        try (InputStream in = LlamaCpp.class.getResourceAsStream("llama-cpp-run.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path req = Files.createTempFile(work, "request-", ".json");
        JSON.writeValue(req.toFile(), request);
        Path out = Files.createTempFile(work, "answer-", ".json");
        Path err = Files.createTempFile(work, "stderr-", ".txt");
        Process p = new ProcessBuilder(List.of("node", script.toString(), dir.toString(), req.toString()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("llama.cpp (node) did not finish in 300 s");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || stdout.isBlank()) {
            fail("llama.cpp (node) exited with " + p.exitValue() + ": "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return JSON.readTree(stdout);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
