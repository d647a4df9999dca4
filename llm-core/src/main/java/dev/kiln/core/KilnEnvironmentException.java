package dev.kiln.core;

/**
 * The machine lacks something Kiln needs (a JDK, {@code python3}, a native library, a device).
 * The message says what is missing and how to fix it.
 *
 * <pre>{@code
 * throw new KilnEnvironmentException("python3 was not found on PATH",
 *         "install Python 3.9+ (Debian: apt-get install python3) or pass --python PATH");
 * }</pre>
 */
public class KilnEnvironmentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fix;

    public KilnEnvironmentException(String problem, String fix) {
        super(problem + " -- to fix: " + fix);
        this.fix = fix;
    }

    public KilnEnvironmentException(String problem, String fix, Throwable cause) {
        super(problem + " -- to fix: " + fix, cause);
        this.fix = fix;
    }

    /** How to fix the setup. */
    public String fix() {
        return fix;
    }
}
