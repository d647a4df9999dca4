package dev.kiln.serve.openai;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Requires {@code Authorization: Bearer <key>} on {@code /v1/*} when the server has API keys; the
 * health, readiness, metrics and playground routes stay open (probes and scrapers carry no key).
 * Keys are compared in constant time, all of them every time.
 */
final class ApiKeyCheck {

    private final byte[][] keys;

    ApiKeyCheck(Set<String> keys) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /** Returns when the request may pass; throws 401 otherwise. */
    void check(Context ctx) {
        if (keys.length == 0 || !ctx.path().startsWith("/v1/")) {
            return;
        }
        String h = ctx.header("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (byte[] k : keys) {
                ok |= MessageDigest.isEqual(k, given);
            }
            if (ok) {
                return;
            }
        }
        throw ApiError.invalidApiKey(
                h == null ? "an API key is required: send 'Authorization: Bearer <key>'" : "the API key is not valid");
    }
}
