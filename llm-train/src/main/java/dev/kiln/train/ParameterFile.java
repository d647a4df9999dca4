package dev.kiln.train;

import ai.djl.ndarray.types.Shape;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.ChecksummedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kiln's parameter file ({@code model.params}): magic {@code KLNP}, version, count, then per
 * parameter its name, shape and little-endian float32 values, then a CRC-32 of everything before
 * it ({@link ChecksummedFile}). Names and shapes are checked against the config on reading.
 */
final class ParameterFile {

    private static final ChecksummedFile FORMAT = ChecksummedFile.of(
                    0x4B4C4E50 /* "KLNP" */, "Kiln model parameters file")
            .withVersion(1);

    private ParameterFile() {}

    static void write(Map<String, float[]> values, Map<String, Shape> shapes, OutputStream out) throws IOException {
        FORMAT.write(out, data -> {
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
        });
    }

    static Map<String, float[]> read(Path file, GptConfig config) throws IOException {
        Map<String, Shape> expected = GptModel.parameterShapes(config);
        return FORMAT.read(file, in -> {
            Map<String, float[]> values = new LinkedHashMap<>();
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
            return values;
        });
    }
}
