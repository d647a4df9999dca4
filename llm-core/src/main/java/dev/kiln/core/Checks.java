package dev.kiln.core;

import java.util.Locale;

/**
 * Argument and state checks in the style of Caffeine's {@code requireArgument}: one line per
 * check, the message built only when the check fails. Templates use {@link String#format} syntax
 * ({@code %s}, {@code %d}, ...) so a message quotes the offending value.
 *
 * <pre>{@code
 * import static dev.kiln.core.Checks.requireArgument;
 *
 * requireArgument(temperature >= 0, "temperature must be >= 0, got %s", temperature);
 * }</pre>
 */
public final class Checks {

    private Checks() {}

    /**
     * Throws {@link IllegalArgumentException} with a formatted message unless {@code expression}.
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param args the template's values
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, Object... args) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, args));
        }
    }

    /**
     * As {@link #requireArgument(boolean, String, Object...)}, without allocating when the check
     * passes (checks on per-token paths use these).
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param a a template value
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, long a) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, a));
        }
    }

    /**
     * As {@link #requireArgument(boolean, String, Object...)}, without allocating when the check
     * passes (checks on per-token paths use these).
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param a a template value
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, double a) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, a));
        }
    }

    /**
     * As {@link #requireArgument(boolean, String, Object...)}, without allocating when the check
     * passes (checks on per-token paths use these).
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param a a template value
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, Object a) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, a));
        }
    }

    /**
     * As {@link #requireArgument(boolean, String, Object...)}, without allocating when the check
     * passes (checks on per-token paths use these).
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param a a template value
     * @param b a template value
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, long a, long b) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, a, b));
        }
    }

    /**
     * As {@link #requireArgument(boolean, String, Object...)}, without allocating when the check
     * passes (checks on per-token paths use these).
     *
     * @param expression the condition the argument meets
     * @param template the message, a {@link String#format} template
     * @param a a template value
     * @param b a template value
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String template, Object a, Object b) {
        if (!expression) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, a, b));
        }
    }

    /**
     * Throws {@link IllegalArgumentException} with {@code message} unless {@code expression}.
     *
     * @param expression the condition the argument meets
     * @param message the message, used as it is
     * @throws IllegalArgumentException if {@code expression} is false
     */
    public static void requireArgument(boolean expression, String message) {
        if (!expression) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Throws {@link IllegalStateException} with a formatted message unless {@code expression}.
     *
     * @param expression the condition the object's state meets
     * @param template the message, a {@link String#format} template
     * @param args the template's values
     * @throws IllegalStateException if {@code expression} is false
     */
    public static void requireState(boolean expression, String template, Object... args) {
        if (!expression) {
            throw new IllegalStateException(String.format(Locale.ROOT, template, args));
        }
    }

    /**
     * Returns {@code value} unless it is null; then throws {@link IllegalArgumentException} naming it
     * (misuse, not a {@link NullPointerException} from deep inside).
     *
     * @param <T> the value's type
     * @param value the argument
     * @param name the argument's name for the message
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value} is null
     */
    public static <T> T requireNonNullArgument(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}
