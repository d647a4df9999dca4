package dev.kiln.core.progress;

import static dev.kiln.core.Checks.requireArgument;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Progress of one long task: count, rate, bytes and ETA, drawn as a live bar on a terminal or
 * logged as periodic lines elsewhere. Thread-safe and cheap to call from hot loops: rendering is
 * throttled to the sink's interval.
 *
 * <pre>{@code
 * try (Progress p = Progress.builder().setTask("tokenize").optTotal(files.size()).optUnit("files").build()) {
 *     for (Path f : files) {
 *         process(f);
 *         p.advance(1, Files.size(f));
 *     }
 * }   // close() renders the final line
 * }</pre>
 */
public final class Progress implements AutoCloseable {

    private final String task;
    private final String unit;
    private final long total;
    private final ProgressSink sink;
    private final LongSupplier clock;
    private final long start;
    private final long intervalNanos;
    private final LongAdder done = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final AtomicLong lastRender;
    private volatile boolean closed;

    private Progress(Builder b) {
        this.task = b.task;
        this.unit = b.unit;
        this.total = b.total;
        this.sink = b.sink;
        this.clock = b.clock;
        this.start = clock.getAsLong();
        this.intervalNanos = sink.interval().toNanos();
        this.lastRender = new AtomicLong(start);
    }

    /** A builder; {@link Builder#setTask(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Counts {@code n} more units. */
    public void advance(long n) {
        advance(n, 0);
    }

    /** Counts {@code n} more units and {@code byteCount} more bytes. */
    public void advance(long n, long byteCount) {
        done.add(n);
        if (byteCount != 0) {
            bytes.add(byteCount);
        }
        long now = clock.getAsLong();
        long last = lastRender.get();
        if (now - last >= intervalNanos && lastRender.compareAndSet(last, now) && !closed) {
            sink.render(snapshot(now, false));
        }
    }

    /** Where the task stands now. */
    public ProgressSnapshot snapshot() {
        return snapshot(clock.getAsLong(), closed);
    }

    private ProgressSnapshot snapshot(long now, boolean finished) {
        return new ProgressSnapshot(task, unit, done.sum(), total, bytes.sum(), now - start, finished);
    }

    /** Renders the final line; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sink.render(snapshot(clock.getAsLong(), true));
    }

    /** Builder: {@code setTask} is required. */
    public static final class Builder {
        private String task;
        private String unit = "items";
        private long total = -1;
        private ProgressSink sink;
        private LongSupplier clock = System::nanoTime;

        private Builder() {}

        /** The task's name, shown at the start of each line (required, not blank). */
        public Builder setTask(String task) {
            requireArgument(task != null && !task.isBlank(), "task name must not be blank, got '%s'", task);
            this.task = task;
            return this;
        }

        /** Units in all; -1 (default) when unknown. */
        public Builder optTotal(long total) {
            requireArgument(total >= -1, "total must be >= 0, or -1 for unknown, got %s", total);
            this.total = total;
            return this;
        }

        /** What is counted, e.g. {@code "files"} (not blank). */
        public Builder optUnit(String unit) {
            requireArgument(unit != null && !unit.isBlank(), "unit must not be blank, got '%s'", unit);
            this.unit = unit;
            return this;
        }

        /** Where to render; default {@link ProgressSink#auto()}. */
        public Builder optSink(ProgressSink sink) {
            this.sink = java.util.Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** A nanosecond clock (tests). */
        public Builder optClock(LongSupplier nanoClock) {
            this.clock = java.util.Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** @throws IllegalStateException when no task was set */
        public Progress build() {
            if (task == null) {
                throw new IllegalStateException("setTask(...) is required");
            }
            if (sink == null) {
                sink = ProgressSink.auto();
            }
            return new Progress(this);
        }
    }
}
