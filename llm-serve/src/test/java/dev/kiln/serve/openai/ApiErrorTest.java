package dev.kiln.serve.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.serve.engine.EngineException;
import dev.kiln.serve.engine.EngineException.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each named factory gives its status, its subtype and OpenAI's error body, to the byte. */
class ApiErrorTest {

    static String body(ApiError e) {
        return new String(e.json(), StandardCharsets.UTF_8);
    }

    static String expected(String message, String type, String param, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":"
                + (param == null ? "null" : "\"" + param + "\"") + ",\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    @Test
    void factoriesGiveStatusTypeAndOpenAiBody() {
        ApiError bad = ApiError.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
        assertThat(bad).isInstanceOf(ApiError.BadRequest.class);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(body(bad))
                .isEqualTo(expected("'top_p' must be in (0, 1], got 0", "invalid_request_error", "top_p", null));

        ApiError key = ApiError.invalidApiKey("the API key is not valid");
        assertThat(key).isInstanceOf(ApiError.Unauthorized.class);
        assertThat(key.status()).isEqualTo(401);
        assertThat(body(key))
                .isEqualTo(expected("the API key is not valid", "invalid_request_error", null, "invalid_api_key"));

        ApiError model = ApiError.modelNotFound("no such model");
        assertThat(model).isInstanceOf(ApiError.NotFound.class);
        assertThat(body(model))
                .isEqualTo(expected("no such model", "invalid_request_error", "model", "model_not_found"));

        ApiError large = ApiError.tooLarge("too big");
        assertThat(large).isInstanceOf(ApiError.TooLarge.class);
        assertThat(large.status()).isEqualTo(413);
        assertThat(body(large)).isEqualTo(expected("too big", "invalid_request_error", null, "request_too_large"));

        ApiError busy = ApiError.tooManyRequests("queue_full", "the queue is full", 1);
        assertThat(busy).isInstanceOf(ApiError.TooManyRequests.class);
        assertThat(busy.status()).isEqualTo(429);
        assertThat(body(busy)).isEqualTo(expected("the queue is full", "rate_limit_error", null, "queue_full"));

        ApiError down = ApiError.unavailable("not_ready", "loading", 5);
        assertThat(down).isInstanceOf(ApiError.Unavailable.class);
        assertThat(down.status()).isEqualTo(503);
        assertThat(body(down)).isEqualTo(expected("loading", "server_error", null, "not_ready"));

        ApiError internal = ApiError.internalError(null, "internal server error");
        assertThat(internal).isInstanceOf(ApiError.InternalError.class);
        assertThat(body(internal)).isEqualTo(expected("internal server error", "server_error", null, null));
    }

    @Test
    void engineFailuresAndJavalinStatusesMapToTheirTypes() {
        assertThat(ApiError.fromEngine(new EngineException(Kind.QUEUE_FULL, "full")))
                .isInstanceOf(ApiError.TooManyRequests.class);
        assertThat(ApiError.fromEngine(new EngineException(Kind.TIMEOUT, "late")))
                .isInstanceOfSatisfying(
                        ApiError.Unavailable.class, e -> assertThat(e.code()).isEqualTo("timeout"));
        assertThat(ApiError.fromEngine(new EngineException(Kind.SHUTDOWN, "bye")))
                .isInstanceOfSatisfying(
                        ApiError.Unavailable.class, e -> assertThat(e.code()).isEqualTo("shutting_down"));
        assertThat(ApiError.fromEngine(new EngineException(Kind.BAD_REQUEST, "long")))
                .isInstanceOfSatisfying(
                        ApiError.BadRequest.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThat(ApiError.fromEngine(new EngineException(Kind.MODEL_ERROR, "nan")))
                .isInstanceOfSatisfying(
                        ApiError.InternalError.class, e -> assertThat(e.code()).isEqualTo("model_error"));

        assertThat(body(ApiError.fromStatus(404, "Endpoint GET /v1/nothing not found")))
                .isEqualTo(expected("Endpoint GET /v1/nothing not found", "invalid_request_error", null, "not_found"));
        assertThat(ApiError.fromStatus(413, "big")).isInstanceOf(ApiError.TooLarge.class);
        ApiError other = ApiError.fromStatus(405, "Method not allowed");
        assertThat(other.status()).isEqualTo(405);
        assertThat(other.type()).isEqualTo("invalid_request_error");
        assertThat(ApiError.fromStatus(502, "bad gateway").type()).isEqualTo("server_error");
    }
}
