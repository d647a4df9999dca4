package dev.kiln.data.pii;

import java.util.Locale;

/** What a redacted span was. The ids are what reports and the {@code pii} metadata use. */
public enum PiiType {
    /** An email address. */
    EMAIL("email", "<EMAIL>"),
    /** A public IPv4 or IPv6 address. */
    IP_ADDRESS("ip_address", "<IP_ADDRESS>"),
    /** A secret key or token (cloud keys, API tokens, JWTs, private keys, high-entropy secrets). */
    KEY("key", "<KEY>"),
    /** A password (in a URL, or assigned to a password-like name). */
    PASSWORD("password", "<PASSWORD>");

    private final String id;
    private final String placeholder;

    PiiType(String id, String placeholder) {
        this.id = id;
        this.placeholder = placeholder;
    }

    /** {@code email}, {@code ip_address}, {@code key} or {@code password}. */
    public String id() {
        return id;
    }

    /** {@code <EMAIL>}, {@code <IP_ADDRESS>}, {@code <KEY>} or {@code <PASSWORD>}. */
    public String placeholder() {
        return placeholder;
    }

    /** The type with this id (case-insensitive); unknown ids list the known ones. */
    public static PiiType fromId(String id) {
        for (PiiType t : values()) {
            if (t.id.equalsIgnoreCase(id) || t.name().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown PII type '" + id + "'; known: email, ip_address, key, password");
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
