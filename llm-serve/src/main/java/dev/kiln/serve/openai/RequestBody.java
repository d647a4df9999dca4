package dev.kiln.serve.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request's JSON body within the size limit: a larger body is 413 (read and dropped, so
 * that a client still sending receives the answer), an empty or malformed one 400.
 */
final class RequestBody {

    private final int maxBytes;

    RequestBody(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The parsed body; never null. */
    JsonNode read(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        InputStream in = ctx.req().getInputStream();
        if (declared > maxBytes) {
            drain(in, declared);
            throw tooLarge();
        }
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            drain(in, Long.MAX_VALUE);
            throw tooLarge();
        }
        if (bytes.length == 0) {
            throw ApiError.badRequest(null, "the request body is empty; send a JSON object");
        }
        try {
            return Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.length() > 200) {
                msg = msg.substring(0, 200) + "...";
            }
            throw ApiError.badRequest(null, "the request body is not valid JSON: " + msg);
        }
    }

    /** Reads and drops a too-large body, up to 16 times the limit. */
    private void drain(InputStream in, long declared) {
        long budget = Math.min(declared, 16L * maxBytes);
        try {
            while (budget > 0) {
                long n = in.skip(budget);
                if (n <= 0) {
                    if (in.read() < 0) {
                        break;
                    }
                    n = 1;
                }
                budget -= n;
            }
        } catch (IOException e) {
            // The client gave up; the 413 goes nowhere.
        }
    }

    private ApiError tooLarge() {
        return ApiError.tooLarge("the request body is larger than " + maxBytes + " bytes");
    }
}
