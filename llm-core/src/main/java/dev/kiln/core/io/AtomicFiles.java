package dev.kiln.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Files that are either complete or absent: written under a temporary name in the same directory,
 * flushed to disk, then renamed. A crash (or {@code kill -9}) leaves at most a {@code .tmp-*} file
 * that no reader mistakes for the real one.
 *
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("manifest.json"), json);
 * try (AtomicFiles.Output out = AtomicFiles.open(dir.resolve("part-00000.jsonl"))) {
 *     out.stream().write(bytes);
 *     out.commit();   // without commit, close() deletes the temporary file
 * }
 * }</pre>
 */
public final class AtomicFiles {

    /** Prefix of temporary files; sinks and cleaners recognise them by it. */
    public static final String TMP_PREFIX = ".tmp-";

    private AtomicFiles() {}

    /**
     * Writes {@code bytes} to {@code target} all or nothing: a reader sees the old file or the new one,
     * never a partial write.
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        try (Output out = open(target)) {
            out.stream().write(bytes);
            out.commit();
        }
    }

    /** {@link #write(Path, byte[])} of {@code text} as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens a temporary file next to {@code target}; {@link Output#commit()} renames it into place. */
    public static Output open(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, TMP_PREFIX + abs.getFileName() + "-", "");
        return new Output(tmp, abs);
    }

    /** Moves {@code source} onto {@code target} atomically (same file system), replacing it. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file or a directory tree if it exists. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A temporary file on its way to its final name. */
    public static final class Output implements AutoCloseable {
        private final Path tmp;
        private final Path target;
        private final OutputStream stream;
        private boolean committed;

        private Output(Path tmp, Path target) throws IOException {
            this.tmp = tmp;
            this.target = target;
            this.stream = Files.newOutputStream(tmp);
        }

        /** Where to write; do not close it, close or commit the {@code Output}. */
        public OutputStream stream() {
            return stream;
        }

        /** The temporary file (e.g. for libraries that want a path). */
        public Path temporaryPath() {
            return tmp;
        }

        /** The file that {@link #commit()} replaces. */
        public Path target() {
            return target;
        }

        /** Flushes, syncs and renames onto the target. */
        public void commit() throws IOException {
            if (committed) {
                return;
            }
            stream.flush();
            if (stream instanceof java.io.FileOutputStream fos) {
                fos.getFD().sync();
            }
            stream.close();
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            move(tmp, target);
            committed = true;
        }

        /** Without a commit, deletes the temporary file. */
        @Override
        public void close() throws IOException {
            if (!committed) {
                try {
                    stream.close();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }
}
