package dev.kiln.train.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of TensorBoard event files written from the formats' documentation, independent of
 * {@link TfEventsWriter}: TFRecord framing ({@code uint64} length, {@code uint32} masked CRC-32C of
 * the length, data, {@code uint32} masked CRC-32C of the data; all little-endian), the CRC-32C
 * computed bit by bit (Castagnoli, reflected polynomial 0x82F63B78), and the protocol-buffer wire
 * format (varint keys, wire types 0, 1, 2, 5) decoded generically, then mapped onto {@code
 * tensorboard.Event} field numbers (event.proto, summary.proto).
 */
final class TfEventsReader {

    /** One decoded {@code Event}. */
    record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars, Integer sessionStatus) {}

    private TfEventsReader() {}

    static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 12) {
                throw new IOException("truncated record header at byte " + b.position());
            }
            byte[] lenBytes = new byte[8];
            b.get(lenBytes);
            long len = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            int lenCrc = b.getInt();
            if (lenCrc != masked(crc32c(lenBytes))) {
                throw new IOException("length CRC mismatch at byte " + (b.position() - 12));
            }
            if (len < 0 || len > b.remaining() - 4) {
                throw new IOException("record length " + len + " runs past the end");
            }
            byte[] data = new byte[(int) len];
            b.get(data);
            int dataCrc = b.getInt();
            if (dataCrc != masked(crc32c(data))) {
                throw new IOException("data CRC mismatch in record " + out.size());
            }
            out.add(event(data));
        }
        return out;
    }

    /** CRC-32C bit by bit: init all ones, reflected polynomial 0x82F63B78, final complement. */
    static int crc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte v : data) {
            crc ^= v & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    /** TFRecord's mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8, mod 2^32. */
    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** A decoded protobuf field: number, wire type, and its varint/fixed value or bytes. */
    record Field(int number, int wireType, long value, byte[] bytes) {}

    static List<Field> fields(byte[] msg) throws IOException {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < msg.length) {
            long key = varint(msg, pos);
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            switch (type) {
                case 0 -> out.add(new Field(number, type, varint(msg, pos), null));
                case 1 -> {
                    long v = ByteBuffer.wrap(msg, pos[0], 8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong();
                    pos[0] += 8;
                    out.add(new Field(number, type, v, null));
                }
                case 2 -> {
                    int n = (int) varint(msg, pos);
                    byte[] sub = java.util.Arrays.copyOfRange(msg, pos[0], pos[0] + n);
                    pos[0] += n;
                    out.add(new Field(number, type, 0, sub));
                }
                case 5 -> {
                    int v = ByteBuffer.wrap(msg, pos[0], 4)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getInt();
                    pos[0] += 4;
                    out.add(new Field(number, type, v, null));
                }
                default -> throw new IOException("unsupported wire type " + type + " for field " + number);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                throw new IOException("truncated varint");
            }
            int x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("varint longer than 10 bytes");
    }

    /** Event: wall_time=1 (double), step=2 (int64), file_version=3, summary=5, session_log=7. */
    static Event event(byte[] data) throws IOException {
        double wall = Double.NaN;
        long step = 0;
        String version = null;
        Integer status = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        for (Field f : fields(data)) {
            switch (f.number()) {
                case 1 -> wall = Double.longBitsToDouble(f.value());
                case 2 -> step = f.value();
                case 3 -> version = new String(f.bytes(), StandardCharsets.UTF_8);
                case 5 -> {
                    // Summary: repeated Value value = 1; Value: tag = 1, simple_value = 2 (float).
                    for (Field v : fields(f.bytes())) {
                        if (v.number() != 1) {
                            continue;
                        }
                        String tag = null;
                        Float value = null;
                        for (Field vf : fields(v.bytes())) {
                            if (vf.number() == 1) {
                                tag = new String(vf.bytes(), StandardCharsets.UTF_8);
                            } else if (vf.number() == 2 && vf.wireType() == 5) {
                                value = Float.intBitsToFloat((int) vf.value());
                            }
                        }
                        scalars.put(tag, value);
                    }
                }
                case 7 -> {
                    status = 0;
                    for (Field s : fields(f.bytes())) {
                        if (s.number() == 1) {
                            status = (int) s.value();
                        }
                    }
                }
                default -> {}
            }
        }
        return new Event(wall, step, version, scalars, status);
    }
}
