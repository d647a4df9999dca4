package dev.kiln.data.dedup;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 *
 * <p>{@link #readBack} gives a stage its spilled file back for reading: read into one direct
 * buffer (outside the Java heap) when the file is small, memory-mapped when it is not. Mapping
 * goes through a reflective constructor that the JDK sets up at first use by generating method
 * handle classes (tens of milliseconds of a short run); reading a few megabytes back costs less.
 */
final class WorkFiles {

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /**
     * Files up to this size are read back into a direct buffer rather than mapped: 64 MiB, or an
     * eighth of the maximum heap if that is less (direct buffers count against {@code
     * -XX:MaxDirectMemorySize}, which defaults to the maximum heap, and a stage reads back two files).
     */
    static final long READ_BACK_LIMIT = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

    private WorkFiles() {}

    /**
     * The bytes {@code [start, start + length)} of {@code channel}'s file, for reading: a fresh
     * direct buffer filled from the file when {@code fileSize <= limit}, else a read-only map.
     */
    static ByteBuffer readBack(FileChannel channel, long start, long length, long fileSize, long limit)
            throws IOException {
        if (fileSize > limit || length > Integer.MAX_VALUE - 8) {
            return channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        }
        ByteBuffer b = ByteBuffer.allocateDirect((int) length);
        while (b.hasRemaining()) {
            if (channel.read(b, start + b.position()) < 0) {
                throw new EOFException(
                        "work file ended at byte " + (start + b.position()) + ", expected " + (start + length));
            }
        }
        return b.flip();
    }

    /** Creates a new empty file in {@code dir}; its name starts with {@code prefix} and ends with {@code suffix}. */
    static Path create(Path dir, String prefix, String suffix) throws IOException {
        FileAttribute<?>[] ownerOnly = POSIX
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
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
