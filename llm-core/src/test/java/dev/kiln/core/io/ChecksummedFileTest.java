package dev.kiln.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksummedFileTest {

    static final ChecksummedFile V1 =
            ChecksummedFile.of(0x4B4C4E54, "test file").withVersion(1);

    @Test
    void frameIsMagicVersionBodyAndCrcOfAllBefore(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        V1.write(out, d -> d.writeUTF("hello"));
        byte[] b = out.toByteArray();
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertThat(bb.getInt()).isEqualTo(0x4B4C4E54);
        assertThat(bb.getInt()).isEqualTo(1);
        assertThat(bb.getShort()).isEqualTo((short) 5);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        assertThat(ByteBuffer.wrap(b, b.length - 8, 8).getLong()).isEqualTo(crc.getValue());
        Path f = dir.resolve("f.bin");
        Files.write(f, b);
        String read = V1.read(f, in -> in.readUTF());
        assertThat(read).isEqualTo("hello");
    }

    @Test
    void withoutVersionTheBodyFollowsTheMagic() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChecksummedFile.of(7, "x").write(out, d -> d.writeInt(42));
        assertThat(out.toByteArray()).hasSize(4 + 4 + 8);
        assertThat(ByteBuffer.wrap(out.toByteArray()).getInt(4)).isEqualTo(42);
    }

    @Test
    void eachKindOfDamageIsNamed(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        V1.write(out, d -> d.writeLong(123456789L));
        byte[] good = out.toByteArray();
        Path f = dir.resolve("f.bin");

        byte[] flipped = good.clone();
        flipped[10] ^= 1;
        Files.write(f, flipped);
        assertThatThrownBy(() -> V1.read(f, DataInputStream::readLong))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessage(f + ": checksum mismatch (the file is damaged)");

        Files.write(f, Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> V1.read(f, DataInputStream::readLong))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessage(f + ": is truncated");

        Files.write(f, good);
        assertThatThrownBy(() -> ChecksummedFile.of(0x1234, "other file").read(f, DataInputStream::readLong))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessage(f + ": is not a other file (bad magic)");
        assertThatThrownBy(() -> V1.withVersion(2).read(f, DataInputStream::readLong))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessage(f + ": has format version 1, expected 2");
        assertThatThrownBy(() -> V1.read(dir.resolve("absent.bin"), DataInputStream::readLong))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no test file");
        long read = V1.read(f, in -> in.readLong());
        assertThat(read).isEqualTo(123456789L);
    }

    @Test
    void negativeVersionIsRejectedWithTheValue() {
        assertThatThrownBy(() -> ChecksummedFile.of(1, "x").withVersion(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-3");
    }
}
