package dev.kiln.core.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 as lowercase hex, the form Kiln records identities in (tokenizer hashes in shards and
 * model directories, document ids, cache keys). Every JVM ships SHA-256, so its absence is an
 * {@link IllegalStateException}, not a checked exception for every caller to handle.
 *
 * <pre>{@code
 * String id = Sha256.hex("hello");                  // 64 hex chars of SHA-256 over UTF-8
 * MessageDigest md = Sha256.newDigest();            // incremental
 * md.update(bytes);
 * String h = Sha256.hex(md);
 * }</pre>
 */
public final class Sha256 {

    private static final HexFormat HEX = HexFormat.of();

    private Sha256() {}

    /**
     * A fresh SHA-256 digest for incremental hashing.
     *
     * @return a new {@link MessageDigest}
     */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Completes {@code digest} and returns its 32 bytes as 64 lowercase hex chars.
     *
     * @param digest a digest, reset by this call
     * @return the hex string
     */
    public static String hex(MessageDigest digest) {
        return HEX.formatHex(digest.digest());
    }

    /**
     * SHA-256 of {@code data} as 64 lowercase hex chars.
     *
     * @param data the bytes
     * @return the hex string
     */
    public static String hex(byte[] data) {
        return HEX.formatHex(newDigest().digest(data));
    }

    /**
     * SHA-256 of {@code text}'s UTF-8 bytes as 64 lowercase hex chars.
     *
     * @param text the text
     * @return the hex string
     */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
