package dev.kiln.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * With {@code CI=true}, a test that would be skipped because an assumption failed (a tool such as
 * python3, node or chromium is missing) fails instead, so a skip cannot hide a regression in CI.
 * Outside CI the test is skipped as before, with its message.
 *
 * <p>Every module's tests get this class from {@code .ci/junit/} (the parent POM adds it as a test
 * source and registers it through JUnit's extension auto-detection); the same CI profile there
 * deactivates JUnit's {@code @EnabledIf...}/{@code @DisabledIf...} conditions. Tools the tests need
 * are installed by {@code .ci/setup.d/*.sh}.
 */
public final class CiForbidsSkips implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** Whether this run is CI's: the variable {@code CI} is set to anything but "false" or "0". */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci.trim()) && !"0".equals(ci.trim());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(context, t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(context, t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(context, t);
    }

    static Throwable convert(ExtensionContext context, Throwable t) {
        if (!(t instanceof TestAbortedException) || !inCi()) {
            return t;
        }
        AssertionError e = new AssertionError(context.getDisplayName() + ": CI=true, and this test would be skipped ("
                + t.getMessage() + "). Install what it needs in a .ci/setup.d/*.sh script;"
                + " outside CI (CI unset) it is skipped.");
        e.setStackTrace(t.getStackTrace());
        return e;
    }
}
