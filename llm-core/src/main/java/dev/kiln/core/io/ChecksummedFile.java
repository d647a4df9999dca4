package dev.kiln.core.io;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.CorruptArtifactException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The framing of Kiln's binary files: a 4-byte magic number, optionally a 4-byte format version,
 * the body, then the CRC-32 of everything before it (as an 8-byte big-endian long). Reading checks
 * each part and turns a wrong magic, an unknown version, a damaged or a truncated file into a
 * {@link CorruptArtifactException} that names the file; the body is handed back only once its
 * checksum matched, so a caller never applies half-read or damaged data.
 *
 * <p>All numbers in the frame are big-endian ({@link DataOutputStream}); the body may use any
 * encoding.
 *
 * <pre>{@code
 * ChecksummedFile format = ChecksummedFile.of(0x4B4C4E50, "Kiln model parameters file").withVersion(1);
 * format.write(out, data -> data.writeInt(42));
 * int answer = format.read(path, DataInputStream::readInt);
 * }</pre>
 */
public final class ChecksummedFile {

    /** Writes a file's body. */
    @FunctionalInterface
    public interface BodyWriter {
        /**
         * Writes the body.
         *
         * @param out the stream, positioned after the header
         * @throws IOException if writing fails
         */
        void write(DataOutputStream out) throws IOException;
    }

    /**
     * Reads a file's body.
     *
     * @param <T> what the body decodes to
     */
    @FunctionalInterface
    public interface BodyReader<T> {
        /**
         * Reads the body; its result is returned only if the checksum that follows matches.
         *
         * @param in the stream, positioned after the header
         * @return the decoded body
         * @throws IOException if reading fails ({@link EOFException} is reported as truncation)
         */
        T read(DataInputStream in) throws IOException;
    }

    private static final int NO_VERSION = Integer.MIN_VALUE;

    private final int magic;
    private final String kind;
    private final int version;

    private ChecksummedFile(int magic, String kind, int version) {
        this.magic = magic;
        this.kind = kind;
        this.version = version;
    }

    /**
     * A framing with no version field (magic, body, CRC-32).
     *
     * @param magic the first 4 bytes of every such file
     * @param kind what such a file is, for messages ("Kiln optimizer state file")
     * @return the framing
     */
    public static ChecksummedFile of(int magic, String kind) {
        Objects.requireNonNull(kind, "kind");
        return new ChecksummedFile(magic, kind, NO_VERSION);
    }

    /**
     * The same framing with a version field after the magic: written as {@code version}, and a file
     * holding another version is rejected.
     *
     * @param version the format version, at least 0
     * @return the versioned framing
     */
    public ChecksummedFile withVersion(int version) {
        requireArgument(version >= 0, "format version must be >= 0, got %s", version);
        return new ChecksummedFile(magic, kind, version);
    }

    /**
     * Writes header, body and checksum to {@code out}, flushes it and leaves it open.
     *
     * @param out where to write
     * @param body writes the body
     * @throws IOException if writing fails
     */
    public void write(OutputStream out, BodyWriter body) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.writeInt(magic);
        if (version != NO_VERSION) {
            data.writeInt(version);
        }
        body.write(data);
        data.flush();
        long crc = checked.getChecksum().getValue();
        data.writeLong(crc);
        data.flush();
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param <T> what the body decodes to
     * @param file the file
     * @param body reads the body
     * @return what {@code body} returned, once the checksum matched
     * @throws NoSuchFileException if {@code file} is not a regular file
     * @throws CorruptArtifactException if the magic, version or checksum is wrong, the file is
     *     truncated, or {@code body} rejected its content
     * @throws IOException if reading fails
     */
    public <T> T read(Path file, BodyReader<T> body) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no " + kind);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != magic) {
                throw new CorruptArtifactException(file, "is not a " + kind + " (bad magic)");
            }
            if (version != NO_VERSION) {
                int found = in.readInt();
                if (found != version) {
                    throw new CorruptArtifactException(file, "has format version " + found + ", expected " + version);
                }
            }
            T value = body.read(in);
            long computed = checked.getChecksum().getValue();
            if (in.readLong() != computed) {
                throw new CorruptArtifactException(file, "checksum mismatch (the file is damaged)");
            }
            return value;
        } catch (EOFException e) {
            throw new CorruptArtifactException(file, "is truncated", e);
        }
    }

    @Override
    public String toString() {
        return "ChecksummedFile[" + kind + ", magic=0x" + Integer.toHexString(magic)
                + (version == NO_VERSION ? "" : ", version=" + version) + "]";
    }
}
