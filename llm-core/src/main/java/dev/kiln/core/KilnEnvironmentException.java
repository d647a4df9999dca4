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

    /** What is missing from the machine, and the one step that fixes it (shown after {@code -- to fix:}). */
    public KilnEnvironmentException(String problem, String fix) {
        super(problem + " -- to fix: " + fix);
        this.fix = fix;
    }

    /** As {@link #KilnEnvironmentException(String, String)}, with the error that revealed the problem. */
    public KilnEnvironmentException(String problem, String fix, Throwable cause) {
        super(problem + " -- to fix: " + fix, cause);
        this.fix = fix;
    }

    /** How to fix the setup. */
    public String fix() {
        return fix;
    }
}
