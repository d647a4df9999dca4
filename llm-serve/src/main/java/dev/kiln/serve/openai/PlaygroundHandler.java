package dev.kiln.serve.openai;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;

/** {@code GET /}: the playground page (prefix and suffix editors, streaming, ratings). */
final class PlaygroundHandler implements Handler {

    /** Where the page lies in the llm-serve jar. */
    static final String PAGE = "/dev/kiln/serve/playground.html";

    @Override
    public void handle(Context ctx) throws IOException {
        try (InputStream in = PlaygroundHandler.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("playground.html is missing from the llm-serve jar");
            }
            ctx.contentType("text/html; charset=utf-8");
            ctx.result(in.readAllBytes());
        }
    }
}
