package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The helper threads' protocol: the caller never waits for a helper that stalls inside a block, a
 * block taken back is never overwritten by the helper's late copy, a failing helper costs nothing
 * but time, and the helpers run at idle priority and stop on close.
 */
class ProductHelpersTest {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final int MARKER = -7;

    /** A product of {@code blocks} one-int blocks: block j's value is j + 1. */
    private abstract static class IntTask extends ProductHelpers.Task {
        final MemorySegment out;

        IntTask(int blocks, MemorySegment out) {
            super(blocks);
            this.out = out;
        }

        @Override
        void direct(int j) throws Throwable {
            out.setAtIndex(INT, j, j + 1);
        }

        @Override
        long scratchBytes(int j) {
            return Integer.BYTES;
        }

        @Override
        void copy(int j, MemorySegment scratch) {
            out.setAtIndex(INT, j, scratch.get(INT, 0));
        }
    }

    private static ProductHelpers helpers(int n, Runnable setup, Arena arena) {
        return new ProductHelpers(n, setup, bytes -> arena.allocate(bytes, 64), seg -> {});
    }

    @Test
    void theCallerTakesBackABlockFromAStalledHelperAndItsLateCopyIsDropped() throws Exception {
        try (Arena arena = Arena.ofShared();
                ProductHelpers h = helpers(1, () -> {}, arena)) {
            MemorySegment out = arena.allocate(4L * Integer.BYTES);
            CountDownLatch claimed = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch helperDone = new CountDownLatch(1);
            IntTask task = new IntTask(4, out) {
                @Override
                void direct(int j) throws Throwable {
                    // The caller's first block waits until the helper holds a block, so the helper
                    // is inside one when the caller runs out of blocks.
                    if (j <= 1) {
                        assertThat(claimed.await(10, TimeUnit.SECONDS)).isTrue();
                    }
                    super.direct(j);
                }

                @Override
                void toScratch(int j, MemorySegment scratch) throws Throwable {
                    claimed.countDown();
                    release.await(); // the helper loses its core for as long as the test likes
                    scratch.set(INT, 0, MARKER);
                    helperDone.countDown();
                }
            };
            // If the caller waited for the stalled helper this would never return.
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> h.run(task));
            assertThat(h.takenBack()).isEqualTo(1);
            assertThat(ints(out)).containsExactly(1, 2, 3, 4);
            release.countDown();
            assertThat(helperDone.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100); // room for a wrong late copy
            assertThat(ints(out)).as("the helper's late copy was dropped").containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void aFailingCallerTakesEveryBlockBackSoNoHelperWritesAfterwards() throws Exception {
        try (Arena arena = Arena.ofShared();
                ProductHelpers h = helpers(1, () -> {}, arena)) {
            MemorySegment out = arena.allocate(3L * Integer.BYTES);
            CountDownLatch claimed = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch helperDone = new CountDownLatch(1);
            IntTask task = new IntTask(3, out) {
                @Override
                void direct(int j) throws Throwable {
                    assertThat(claimed.await(10, TimeUnit.SECONDS)).isTrue();
                    throw new IllegalStateException("simulated failure on the calling thread");
                }

                @Override
                void toScratch(int j, MemorySegment scratch) throws Throwable {
                    claimed.countDown();
                    release.await();
                    scratch.set(INT, 0, MARKER);
                    helperDone.countDown();
                }
            };
            assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> h.run(task)))
                    .hasMessage("simulated failure on the calling thread");
            release.countDown();
            assertThat(helperDone.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100); // room for a wrong late copy
            assertThat(ints(out)).as("nothing was written after the failure").containsExactly(0, 0, 0);
        }
    }

    @Test
    void aHelperThatFinishesInTimeDeliversItsBlock() throws Exception {
        try (Arena arena = Arena.ofShared();
                ProductHelpers h = helpers(1, () -> {}, arena)) {
            MemorySegment out = arena.allocate(2L * Integer.BYTES);
            CountDownLatch copied = new CountDownLatch(1);
            AtomicInteger helperBlocks = new AtomicInteger();
            IntTask task = new IntTask(2, out) {
                @Override
                void direct(int j) throws Throwable {
                    super.direct(j);
                    // The helper takes the other block and finishes it before this one ends.
                    assertThat(copied.await(10, TimeUnit.SECONDS)).isTrue();
                }

                @Override
                void toScratch(int j, MemorySegment scratch) {
                    helperBlocks.incrementAndGet();
                    scratch.set(INT, 0, j + 1);
                }

                @Override
                void copy(int j, MemorySegment scratch) {
                    super.copy(j, scratch);
                    copied.countDown();
                }
            };
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> h.run(task));
            assertThat(helperBlocks.get()).isEqualTo(1);
            assertThat(h.takenBack()).isZero();
            assertThat(ints(out)).containsExactly(1, 2);
        }
    }

    @Test
    void aFailingHelperBlockIsComputedByTheCaller() throws Exception {
        try (Arena arena = Arena.ofShared();
                ProductHelpers h = helpers(1, () -> {}, arena)) {
            MemorySegment out = arena.allocate(3L * Integer.BYTES);
            CountDownLatch failed = new CountDownLatch(1);
            IntTask task = new IntTask(3, out) {
                @Override
                void direct(int j) throws Throwable {
                    if (j == 0 || j == 1) {
                        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
                    }
                    super.direct(j);
                }

                @Override
                void toScratch(int j, MemorySegment scratch) {
                    failed.countDown();
                    throw new IllegalStateException("simulated kernel failure");
                }
            };
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> h.run(task));
            assertThat(ints(out)).containsExactly(1, 2, 3);
            assertThat(h.takenBack()).isBetween(1, 2); // the helper may fail the last block too
        }
    }

    @Test
    void helpersRunAtLinuxIdlePriorityAndStopOnClose() throws Exception {
        Path self = Path.of("/proc/thread-self/stat");
        ConcurrentHashMap<String, String> policy = new ConcurrentHashMap<>();
        CountDownLatch started = new CountDownLatch(2);
        ProductHelpers h;
        try (Arena arena = Arena.ofShared()) {
            h = helpers(
                    2,
                    () -> {
                        try {
                            String stat = Files.readString(self);
                            // Field 41 (policy), counting from the state after the command's ')'.
                            String[] f =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            policy.put(Thread.currentThread().getName(), f[41 - 3]);
                        } catch (Exception e) {
                            policy.put(Thread.currentThread().getName(), "unreadable: " + e);
                        } finally {
                            started.countDown();
                        }
                    },
                    arena);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            if (System.getProperty("os.name", "").startsWith("Linux")) {
                assertThat(policy)
                        .hasSize(2)
                        .allSatisfy((name, p) -> assertThat(p).as(name).isEqualTo("5")); // SCHED_IDLE
            }
            h.close();
            assertThat(h.alive()).isZero();
        }
    }

    private static int[] ints(MemorySegment out) {
        return out.toArray(INT);
    }

    /**
     * While paused, and while another caller's task holds the helpers, a task runs on its calling
     * thread alone: no helper ever computes a block of it.
     */
    @Test
    void aPausedOrBusyHelperSetLeavesTheTaskToItsCaller() throws Throwable {
        try (Arena arena = Arena.ofShared();
                ProductHelpers h = helpers(1, () -> {}, arena)) {
            java.util.concurrent.atomic.AtomicInteger byHelper = new java.util.concurrent.atomic.AtomicInteger();
            MemorySegment out = arena.allocate(64L * Integer.BYTES);
            h.pause(true);
            h.pause(true);
            h.pause(false); // still paused once
            for (int round = 0; round < 50; round++) {
                h.run(new IntTask(64, out) {
                    @Override
                    void toScratch(int j, MemorySegment scratch) {
                        byHelper.incrementAndGet();
                        scratch.set(INT, 0, j + 1);
                    }
                });
                int[] expected = new int[64];
                java.util.Arrays.setAll(expected, j -> j + 1);
                assertThat(ints(out)).containsExactly(expected);
            }
            assertThat(byHelper.get()).isZero();
            h.pause(false);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.pause(false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the product helpers were resumed more often than paused");

            // A second caller while the first holds the helpers: it computes alone, and correctly.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            MemorySegment first = arena.allocate(4L * Integer.BYTES);
            Thread owner = Thread.ofPlatform().start(() -> {
                try {
                    h.run(new IntTask(4, first) {
                        @Override
                        void direct(int j) throws Throwable {
                            holding.countDown();
                            release.await();
                            super.direct(j);
                        }

                        @Override
                        void toScratch(int j, MemorySegment scratch) throws Throwable {
                            release.await();
                            scratch.set(INT, 0, j + 1);
                        }
                    });
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            MemorySegment second = arena.allocate(8L * Integer.BYTES);
            java.util.concurrent.atomic.AtomicInteger secondByHelper = new java.util.concurrent.atomic.AtomicInteger();
            assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> h.run(new IntTask(8, second) {
                        @Override
                        void toScratch(int j, MemorySegment scratch) {
                            secondByHelper.incrementAndGet();
                            scratch.set(INT, 0, j + 1);
                        }
                    }));
            assertThat(ints(second)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(secondByHelper.get()).isZero();
            release.countDown();
            owner.join(10_000);
            assertThat(ints(first)).containsExactly(1, 2, 3, 4);
        }
    }
}
