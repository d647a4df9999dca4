package dev.kiln.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Kiln on the class path, as built by Maven. */
public final class KilnVersion {

    private static final String VERSION = load();

    private KilnVersion() {}

    /** For example {@code 0.1.0-SNAPSHOT}; {@code unknown} when run from unpackaged classes. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = KilnVersion.class.getResourceAsStream("kiln-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
