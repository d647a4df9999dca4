package dev.kiln.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * JSON Lines read one row at a time: blank lines are skipped, and each row comes with its 1-based
 * line number so that an error can name the line. What a line that is not JSON means is the
 * caller's to say: an error, a torn last line to skip, or one more bad row to count.
 *
 * <pre>{@code
 * try (BufferedReader r = Files.newBufferedReader(file)) {
 *     JsonLines.read(r, (line, row) -> rows.add(row), (line, text, e) -> {
 *         throw new CorruptArtifactException(file, "line " + line + ": " + e.getMessage());
 *     });
 * }
 * }</pre>
 */
public final class JsonLines {

    private JsonLines() {}

    /** Takes one parsed row. */
    @FunctionalInterface
    public interface Row {
        /**
         * @param line the row's 1-based line number
         * @param row the parsed value (any JSON value: checking it is an object is the caller's)
         * @throws IOException to stop reading, e.g. a {@link dev.kiln.core.CorruptArtifactException}
         */
        void accept(int line, JsonNode row) throws IOException;
    }

    /** Takes a line that is not JSON: return to skip it, throw to stop. */
    @FunctionalInterface
    public interface NotJson {
        /**
         * @param line the 1-based line number
         * @param text the line as read
         * @param error the parser's complaint ({@code "not valid JSON: ..."})
         * @throws IOException to stop reading, e.g. a {@link dev.kiln.core.CorruptArtifactException}
         */
        void accept(int line, String text, IllegalArgumentException error) throws IOException;
    }

    /**
     * Reads {@code in} to its end, handing each non-blank line to {@code row} when it parses and to
     * {@code notJson} when it does not.
     *
     * @throws IOException when reading fails, or as a handler throws it
     */
    public static void read(BufferedReader in, Row row, NotJson notJson) throws IOException {
        String text;
        int line = 0;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.parse(text);
            } catch (IllegalArgumentException e) {
                notJson.accept(line, text, e);
                continue;
            }
            row.accept(line, node);
        }
    }
}
