package dev.kiln.serve.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The request threads' mailboxes lose no event and no wake-up, with the waker running or closed. */
class EventMailboxTest {

    @Test
    void everyEventArrivesInOrderAndEveryWaitingReaderWakes() throws Exception {
        try (StreamWaker waker = new StreamWaker()) {
            int readers = 16;
            int events = 2_000;
            List<EventMailbox<Integer>> boxes = new ArrayList<>();
            List<List<Integer>> got = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                EventMailbox<Integer> box = new EventMailbox<>(waker);
                List<Integer> out = new ArrayList<>();
                boxes.add(box);
                got.add(out);
                threads.add(Thread.ofVirtual().start(() -> {
                    List<Integer> batch = new ArrayList<>();
                    try {
                        while (out.size() < events) {
                            batch.clear();
                            if (box.drainTo(batch, TimeUnit.SECONDS.toNanos(10))) {
                                out.addAll(batch);
                            } else {
                                return; // a lost wake-up: the count below fails
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            // One producer, as the scheduler thread: a token for every stream per step.
            for (int e = 0; e < events; e++) {
                for (EventMailbox<Integer> box : boxes) {
                    box.add(e);
                }
                if (e % 100 == 0) {
                    Thread.sleep(1); // let readers park, so that wake-ups are needed
                }
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            for (List<Integer> out : got) {
                assertThat(out).hasSize(events);
                for (int i = 0; i < events; i++) {
                    assertThat(out.get(i)).isEqualTo(i);
                }
            }
        }
    }

    @Test
    void aReaderWaitsOutItsTimeoutAndIsStillWokenAfterTheWakerCloses() throws Exception {
        StreamWaker waker = new StreamWaker();
        EventMailbox<String> box = new EventMailbox<>(waker);
        List<String> out = new ArrayList<>();
        assertThat(box.drainTo(out, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        waker.close();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                box.drainTo(out, Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        box.add("done");
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(reader.isAlive()).isFalse();
        assertThat(out).containsExactly("done");
    }
}
