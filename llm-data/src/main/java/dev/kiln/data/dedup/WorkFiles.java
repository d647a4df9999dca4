package dev.kiln.data.dedup;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New, empty work files inside a stage's work directory, named {@code prefix + pid-counter + suffix}
 * and created exclusively (owner-only on POSIX, as {@link Files#createTempFile}). Unlike {@code
 * createTempFile}, naming needs no {@link java.security.SecureRandom}, whose first use (provider
 * look-up, reflection, seeding) is tens of milliseconds of a short run's start-up. The names need
 * not be unguessable: the work directory is the caller's, and an existing name is skipped, never
 * reused.
 */
final class WorkFiles {

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private WorkFiles() {}

    /** Creates a new empty file in {@code dir}; its name starts with {@code prefix} and ends with {@code suffix}. */
    static Path create(Path dir, String prefix, String suffix) throws IOException {
        FileAttribute<?>[] ownerOnly = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        while (true) {
            Path p = dir.resolve(prefix + PID + "-" + COUNTER.incrementAndGet() + suffix);
            try {
                return Files.createFile(p, ownerOnly);
            } catch (FileAlreadyExistsException e) {
                // left by another process with the same pid, or another run: try the next name
            }
        }
    }
}
