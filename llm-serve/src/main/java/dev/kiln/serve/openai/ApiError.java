package dev.kiln.serve.openai;

import dev.kiln.core.io.Json;
import dev.kiln.serve.engine.EngineException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}:
 * one subtype per HTTP status (as DJL Serving keeps one exception per status), built only by the
 * named factories, so that a status always comes with its OpenAI {@code type} (4xx {@code
 * invalid_request_error}, 429 {@code rate_limit_error}, 5xx {@code server_error}) and its headers
 * ({@code WWW-Authenticate} on 401, {@code Retry-After} where a retry can succeed).
 *
 * <pre>{@code
 * throw ApiError.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
 * }</pre>
 */
abstract sealed class ApiError extends RuntimeException
        permits ApiError.BadRequest,
                ApiError.Unauthorized,
                ApiError.NotFound,
                ApiError.TooLarge,
                ApiError.TooManyRequests,
                ApiError.InternalError,
                ApiError.Unavailable,
                ApiError.OtherStatus {

    private static final long serialVersionUID = 1L;
    private static final String INVALID_REQUEST = "invalid_request_error";
    private static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    private ApiError(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, 0);
    }

    private ApiError(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is wrong about {@code param} (null when it is about the whole body). */
    static BadRequest badRequest(String param, String message) {
        return new BadRequest(param, message);
    }

    /** 401 {@code invalid_api_key}: no key, or one the server does not know. */
    static Unauthorized invalidApiKey(String message) {
        return new Unauthorized(message);
    }

    /** 404 {@code model_not_found}: the request names another model than the one served. */
    static NotFound modelNotFound(String message) {
        return new NotFound("model", "model_not_found", message);
    }

    /** 404 with {@code code}: a route that exists only when enabled, or no route at all. */
    static NotFound notFound(String code, String message) {
        return new NotFound(null, code, message);
    }

    /** 413 {@code request_too_large}. */
    static TooLarge tooLarge(String message) {
        return new TooLarge(message);
    }

    /** 429 with {@code code}, telling the client to retry after {@code retryAfterSeconds}. */
    static TooManyRequests tooManyRequests(String code, String message, int retryAfterSeconds) {
        return new TooManyRequests(code, message, retryAfterSeconds);
    }

    /** 500 with {@code code} (null for an unexpected failure, whose details stay in the log). */
    static InternalError internalError(String code, String message) {
        return new InternalError(code, message);
    }

    /**
     * 503 with {@code code}; {@code retryAfterSeconds} above 0 adds {@code Retry-After}, for a
     * condition that passes (loading, a full moment), 0 none.
     */
    static Unavailable unavailable(String code, String message, int retryAfterSeconds) {
        return new Unavailable(code, message, retryAfterSeconds);
    }

    /** The answer to an engine that refused or failed a sequence. */
    static ApiError fromEngine(EngineException e) {
        return switch (e.kind()) {
            case QUEUE_FULL -> tooManyRequests("queue_full", e.getMessage(), 1);
            case TIMEOUT -> unavailable("timeout", e.getMessage(), 0);
            case SHUTDOWN -> unavailable("shutting_down", e.getMessage(), 1);
            case BAD_REQUEST -> badRequest("prompt", e.getMessage());
            case MODEL_ERROR -> internalError("model_error", e.getMessage());
        };
    }

    /** The answer to an HTTP error Javalin or Jetty raised itself (unknown route, body too large). */
    static ApiError fromStatus(int status, String message) {
        return switch (status) {
            case 400 -> badRequest(null, message);
            case 404 -> notFound("not_found", message);
            case 413 -> tooLarge(message);
            default -> new OtherStatus(status, message);
        };
    }

    /** The HTTP status. */
    final int status() {
        return status;
    }

    /** OpenAI's error {@code type}. */
    final String type() {
        return type;
    }

    /** The request field at fault, or null. */
    final String param() {
        return param;
    }

    /** A machine-readable reason, or null. */
    final String code() {
        return code;
    }

    /** The JSON body, {@code {"error": {...}}}, on one line. */
    final byte[] json() {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", getMessage());
        err.put("type", type);
        err.put("param", param);
        err.put("code", code);
        return Json.toLine(Map.of("error", err)).getBytes(StandardCharsets.UTF_8);
    }

    /** Answers the request with this error: status, headers and body. */
    final void writeTo(Context ctx) {
        ctx.status(status);
        headers(ctx);
        ctx.contentType("application/json");
        ctx.result(json());
    }

    /** Headers that go with the status: {@code Retry-After} when a retry time was given. */
    void headers(Context ctx) {
        if (retryAfterSeconds > 0) {
            ctx.header("Retry-After", Integer.toString(retryAfterSeconds));
        }
    }

    /** 400 Bad Request. */
    static final class BadRequest extends ApiError {
        private static final long serialVersionUID = 1L;

        private BadRequest(String param, String message) {
            super(400, INVALID_REQUEST, param, null, message);
        }
    }

    /** 401 Unauthorized, with {@code WWW-Authenticate: Bearer}. */
    static final class Unauthorized extends ApiError {
        private static final long serialVersionUID = 1L;

        private Unauthorized(String message) {
            super(401, INVALID_REQUEST, null, "invalid_api_key", message);
        }

        @Override
        void headers(Context ctx) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
    }

    /** 404 Not Found. */
    static final class NotFound extends ApiError {
        private static final long serialVersionUID = 1L;

        private NotFound(String param, String code, String message) {
            super(404, INVALID_REQUEST, param, code, message);
        }
    }

    /** 413 Content Too Large. */
    static final class TooLarge extends ApiError {
        private static final long serialVersionUID = 1L;

        private TooLarge(String message) {
            super(413, INVALID_REQUEST, null, "request_too_large", message);
        }
    }

    /** 429 Too Many Requests, with {@code Retry-After}. */
    static final class TooManyRequests extends ApiError {
        private static final long serialVersionUID = 1L;

        private TooManyRequests(String code, String message, int retryAfterSeconds) {
            super(429, "rate_limit_error", null, code, message, retryAfterSeconds);
        }
    }

    /** 500 Internal Server Error. */
    static final class InternalError extends ApiError {
        private static final long serialVersionUID = 1L;

        private InternalError(String code, String message) {
            super(500, SERVER_ERROR, null, code, message);
        }
    }

    /** 503 Service Unavailable, with {@code Retry-After} when a retry can succeed soon. */
    static final class Unavailable extends ApiError {
        private static final long serialVersionUID = 1L;

        private Unavailable(String code, String message, int retryAfterSeconds) {
            super(503, SERVER_ERROR, null, code, message, retryAfterSeconds);
        }
    }

    /** A status Kiln never raises itself but Javalin may (e.g. 405), passed on in OpenAI's shape. */
    static final class OtherStatus extends ApiError {
        private static final long serialVersionUID = 1L;

        private OtherStatus(int status, String message) {
            super(status, status >= 500 ? SERVER_ERROR : INVALID_REQUEST, null, null, message);
        }
    }
}
