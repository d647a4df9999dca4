package dev.kiln.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads API keys from a file: one key per line; blank lines and lines starting with {@code #} are
 * ignored. Clients send a key as {@code Authorization: Bearer <key>}.
 *
 * <pre>{@code
 * Server.builder().setModel(model).optApiKeys(ApiKeys.read(Path.of("/etc/kiln/api-keys"))).build();
 * }</pre>
 */
public final class ApiKeys {

    private ApiKeys() {}

    /**
     * The keys in {@code file}.
     *
     * @throws IllegalArgumentException if the file has no key or a key with spaces
     */
    public static Set<String> read(Path file) throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            String k = line.strip();
            if (k.isEmpty() || k.startsWith("#")) {
                continue;
            }
            if (k.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        "API key file " + file + " line " + lineNo + ": a key must not contain spaces");
            }
            keys.add(k);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("API key file " + file + " has no key (one key per line)");
        }
        return keys;
    }
}
