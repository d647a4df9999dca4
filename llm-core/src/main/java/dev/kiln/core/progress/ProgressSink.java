package dev.kiln.core.progress;

import java.io.PrintStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where progress goes: a live bar on a terminal, periodic log lines elsewhere, or nowhere.
 *
 * <pre>{@code
 * ProgressSink sink = ProgressSink.auto();          // bar on a TTY, log lines otherwise
 * ProgressSink quiet = ProgressSink.none();
 * ProgressSink lines = ProgressSink.lines(System.err::println, Duration.ofSeconds(10));
 * }</pre>
 */
public interface ProgressSink {

    /** Called with a snapshot at most every {@link #interval()}, and once when the task ends. */
    void render(ProgressSnapshot snapshot);

    /** The minimum time between two renders. */
    Duration interval();

    /** A bar redrawn in place on {@code out} (a terminal), ten times a second. */
    static ProgressSink terminal(PrintStream out) {
        return new TerminalSink(out);
    }

    /** One line per interval to {@code out} (a log, a CI console). */
    static ProgressSink lines(java.util.function.Consumer<String> out, Duration interval) {
        return new ProgressSink() {
            @Override
            public void render(ProgressSnapshot s) {
                out.accept(s.format());
            }

            @Override
            public Duration interval() {
                return interval;
            }
        };
    }

    /** Log lines through SLF4J at INFO, every ten seconds. */
    static ProgressSink log() {
        Logger logger = LoggerFactory.getLogger("dev.kiln.progress");
        return lines(logger::info, Duration.ofSeconds(10));
    }

    /** Nothing. */
    static ProgressSink none() {
        return new ProgressSink() {
            @Override
            public void render(ProgressSnapshot s) {}

            @Override
            public Duration interval() {
                return Duration.ofDays(365);
            }
        };
    }

    /**
     * A terminal bar on standard error when the JVM has a console and {@code TERM} is not {@code
     * dumb}, SLF4J log lines otherwise. The system property {@code kiln.progress} ({@code
     * terminal}, {@code log}, {@code none}) overrides the choice.
     */
    static ProgressSink auto() {
        String forced = System.getProperty("kiln.progress", "");
        switch (forced) {
            case "terminal":
                return terminal(System.err);
            case "log":
                return log();
            case "none":
                return none();
            default:
                break;
        }
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM")) && System.getenv("CI") == null;
        return tty ? terminal(System.err) : log();
    }
}
