package dev.kiln.train;

import ai.djl.ndarray.types.Shape;
import dev.kiln.core.CorruptArtifactException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Kiln's parameter file ({@code model.params}): magic {@code KLNP}, version, count, then per
 * parameter its name, shape and little-endian float32 values, then a CRC-32 of everything before
 * it. Names and shapes are checked against the config on reading.
 */
final class ParameterFile {

    private static final int MAGIC = 0x4B4C4E50; // "KLNP"
    private static final int FORMAT_VERSION = 1;

    private ParameterFile() {}

    static void write(Map<String, float[]> values, Map<String, Shape> shapes, OutputStream out) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.writeInt(MAGIC);
        data.writeInt(FORMAT_VERSION);
        data.writeInt(values.size());
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            data.writeUTF(e.getKey());
            long[] shape = shapes.get(e.getKey()).getShape();
            data.writeInt(shape.length);
            for (long dim : shape) {
                data.writeLong(dim);
            }
            float[] v = e.getValue();
            ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(v);
            data.write(bb.array());
        }
        data.flush();
        long crc = checked.getChecksum().getValue();
        data.writeLong(crc);
        data.flush();
    }

    static Map<String, float[]> read(Path file, GptConfig config) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no model parameters file");
        }
        Map<String, Shape> expected = GptModel.parameterShapes(config);
        Map<String, float[]> values = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != MAGIC) {
                throw new CorruptArtifactException(file, "is not a Kiln model parameters file (bad magic)");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new CorruptArtifactException(
                        file, "has format version " + version + ", expected " + FORMAT_VERSION);
            }
            int count = in.readInt();
            if (count != expected.size()) {
                throw new CorruptArtifactException(
                        file, "holds " + count + " parameters, the config " + config + " needs " + expected.size());
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new CorruptArtifactException(file, "parameter '" + name + "' has rank " + rank);
                }
                long[] dims = new long[rank];
                for (int j = 0; j < rank; j++) {
                    dims[j] = in.readLong();
                }
                Shape shape = new Shape(dims);
                Shape want = expected.get(name);
                if (!shape.equals(want)) {
                    throw new CorruptArtifactException(
                            file,
                            "parameter '" + name + "' has shape " + shape + ", the config needs "
                                    + (want == null ? "no such parameter" : want.toString()));
                }
                byte[] bytes = new byte[Math.toIntExact(shape.size() * 4)];
                in.readFully(bytes);
                float[] v = new float[bytes.length / 4];
                ByteBuffer.wrap(bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(v);
                values.put(name, v);
            }
            long computed = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (computed != stored) {
                throw new CorruptArtifactException(file, "checksum mismatch (the file is damaged)");
            }
        } catch (EOFException e) {
            throw new CorruptArtifactException(file, "is truncated", e);
        }
        return values;
    }
}
