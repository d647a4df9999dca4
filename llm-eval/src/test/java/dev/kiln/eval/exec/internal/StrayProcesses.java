package dev.kiln.eval.exec.internal;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Finds processes a test started by a unique marker in their command line: {@code /bin/sleep}
 * with a duration no other process uses.
 */
public final class StrayProcesses {

    private StrayProcesses() {}

    /** A sleep duration (seconds, with a fraction) unique to one test. */
    public static String uniqueSleep() {
        return "3" + ThreadLocalRandom.current().nextInt(100, 999) + "." + System.nanoTime() % 1_000_000;
    }

    /**
     * Processes whose command line holds {@code marker}, after up to a second's grace for ones
     * being killed; any found are then killed, so that a failing test leaves the machine clean.
     */
    public static List<String> running(String marker) throws InterruptedException {
        List<String> found = List.of();
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                found = all.filter(ph -> ph.info().commandLine().orElse("").contains(marker))
                        .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse("?"))
                        .toList();
            }
            if (found.isEmpty()) {
                return found;
            }
            Thread.sleep(50);
        }
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            all.filter(ph -> ph.info().commandLine().orElse("").contains(marker))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        return found;
    }
}
