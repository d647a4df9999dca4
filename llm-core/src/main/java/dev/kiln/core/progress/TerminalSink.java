package dev.kiln.core.progress;

import java.io.PrintStream;
import java.time.Duration;

/** Redraws one line in place with a carriage return. */
final class TerminalSink implements ProgressSink {

    private static final int BAR = 24;
    private final PrintStream out;

    TerminalSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void render(ProgressSnapshot s) {
        StringBuilder line = new StringBuilder("\r");
        double f = s.fraction();
        if (f >= 0) {
            int filled = (int) Math.round(f * BAR);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(" ".repeat(BAR - filled))
                    .append("] ");
        }
        line.append(s.format()).append("\u001b[K");
        if (s.finished()) {
            line.append('\n');
        }
        out.print(line);
        out.flush();
    }

    @Override
    public Duration interval() {
        return Duration.ofMillis(100);
    }
}
