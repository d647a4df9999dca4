package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.core.Provenance;
import dev.kiln.core.io.Manifest;
import dev.kiln.train.ckpt.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save that fails (the disk fills up) gives a clear error and never replaces the last good checkpoint. */
class CheckpointSaveFailureTest {

    static Manifest manifest(long step) {
        return new Manifest(
                "checkpoint",
                1,
                Map.of("step", step),
                Provenance.builder().setKind("checkpoint").optSeed(1).build(),
                Map.of());
    }

    static List<String> entries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriterFailingMidwayLeavesThePreviousCheckpointAndNoDebris(@TempDir Path folder) throws Exception {
        Checkpoints.commit(folder, 1, dir -> Files.writeString(dir.resolve("a.bin"), "good"), manifest(1), 3);
        List<String> before = entries(folder);
        assertThatThrownBy(() -> Checkpoints.commit(
                        folder,
                        2,
                        dir -> {
                            Files.writeString(dir.resolve("a.bin"), "partial");
                            throw new IOException("No space left on device");
                        },
                        manifest(2),
                        3))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("No space left on device");
        assertThat(entries(folder)).isEqualTo(before).containsExactly("latest", "step-000001");
        assertThat(Files.readString(folder.resolve("latest")).trim()).isEqualTo("step-000001");
        Checkpoints.verify(folder.resolve("step-000001"));
        assertThat(Files.readString(folder.resolve("step-000001/a.bin"))).isEqualTo("good");
    }

    /**
     * A real full disk: a tmpfs sized for one checkpoint and a half (needs permission to mount,
     * e.g. root in CI's container; skipped otherwise).
     */
    @Test
    void aFullDiskStopsTrainingWithAClearErrorAndTheLastGoodCheckpointResumes(@TempDir Path dir) throws Exception {
        // The size of one checkpoint of this model, measured on the ordinary disk.
        Path probe = dir.resolve("probe");
        try (Trainer t = TrainChild.builder(probe, 4).optSaveInterval(2).build()) {
            t.fit();
        }
        long one;
        try (Stream<Path> s = Files.walk(probe.resolve("step-000002"))) {
            one = s.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
        Path mnt = Files.createDirectories(dir.resolve("small-disk"));
        long kib = (one * 3 / 2) / 1024 + 64;
        assumeTrue(
                run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", mnt.toString()),
                "cannot mount a small tmpfs here (needs root)");
        try {
            Path folder = mnt.resolve("ckpt");
            try (Trainer t = TrainChild.builder(folder, 6)
                    .optSaveInterval(2)
                    .optKeepLast(5)
                    .build()) {
                assertThatThrownBy(t::fit)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("saving the checkpoint of step 4")
                        .hasMessageContaining("step-000002")
                        .hasMessageContaining("is intact");
            }
            assertThat(entries(folder)).containsExactly("latest", "step-000002");
            Checkpoints.verify(folder.resolve("step-000002"));
            assertThat(Checkpoints.newestValid(folder))
                    .hasValueSatisfying(
                            p -> assertThat(p.getFileName().toString()).isEqualTo("step-000002"));
            // With room again (the first checkpoint moved away), rerunning resumes from it.
            Path roomy = dir.resolve("roomy");
            Files.createDirectories(roomy);
            run("cp", "-a", folder.toString(), roomy.toString());
            try (Trainer t = TrainChild.builder(roomy.resolve("ckpt"), 6)
                    .optSaveInterval(2)
                    .build()) {
                TrainResult r = t.fit();
                assertThat(r.resumedFrom()).isEqualTo(2);
                assertThat(r.steps()).isEqualTo(6);
            }
        } finally {
            run("umount", mnt.toString());
        }
    }

    static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
