package dev.kiln.tokenize.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .idx}/{@code .bin} layout field by field, as Megatron-LM's {@code IndexedDataset}
 * reads it (megatron/core/datasets/indexed_dataset.py: {@code _INDEX_HEADER = b"MMIDIDX\x00\x00"},
 * {@code <Q} version 1, {@code <B} dtype code, {@code <Q} sequence count, {@code <Q} document count,
 * then int32 lengths, int64 pointers, int64 document indices).
 */
class MegatronDatasetTest {

    @Test
    void indexAndDataFollowThePublishedLayout(@TempDir Path dir) throws Exception {
        Path prefix = dir.resolve("out/code_text_document");
        try (MegatronDataset w = new MegatronDataset(prefix, 300)) {
            w.addSequence(new int[] {5, 6, 7}, 0, 3);
            w.addSequence(new int[] {9, 299}, 0, 2);
            w.endDocument(); // document 0: sequences 0, 1
            w.addSequence(new int[] {1, 2, 3, 4}, 1, 4); // {2, 3, 4}
            // document 1 closed by close()
        }
        ByteBuffer idx =
                ByteBuffer.wrap(Files.readAllBytes(Path.of(prefix + ".idx"))).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[9];
        idx.get(magic);
        assertThat(magic).containsExactly('M', 'M', 'I', 'D', 'I', 'D', 'X', 0, 0);
        assertThat(idx.getLong()).as("version").isEqualTo(1);
        assertThat(idx.get()).as("dtype code: uint16").isEqualTo((byte) 8);
        assertThat(idx.getLong()).as("sequence count").isEqualTo(3);
        assertThat(idx.getLong()).as("document index entries").isEqualTo(3);
        assertThat(new int[] {idx.getInt(), idx.getInt(), idx.getInt()})
                .as("lengths")
                .containsExactly(3, 2, 3);
        assertThat(new long[] {idx.getLong(), idx.getLong(), idx.getLong()})
                .as("byte pointers")
                .containsExactly(0, 6, 10);
        assertThat(new long[] {idx.getLong(), idx.getLong(), idx.getLong()})
                .as("document index")
                .containsExactly(0, 2, 3);
        assertThat(idx.hasRemaining()).isFalse();
        ByteBuffer bin =
                ByteBuffer.wrap(Files.readAllBytes(Path.of(prefix + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        short[] ids = new short[bin.remaining() / 2];
        bin.asShortBuffer().get(ids);
        assertThat(ids).containsExactly(new short[] {5, 6, 7, 9, 299, 2, 3, 4});
        try (var files = Files.list(dir.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("code_text_document.bin", "code_text_document.idx");
        }
    }

    @Test
    void largeVocabulariesUseInt32AndBadIdsAreRejected(@TempDir Path dir) throws Exception {
        Path prefix = dir.resolve("big");
        try (MegatronDataset w = new MegatronDataset(prefix, 100_000)) {
            w.addSequence(new int[] {70_000, 1}, 0, 2);
        }
        ByteBuffer idx =
                ByteBuffer.wrap(Files.readAllBytes(Path.of(prefix + ".idx"))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(idx.get(17)).as("dtype code: int32").isEqualTo((byte) 4);
        ByteBuffer bin =
                ByteBuffer.wrap(Files.readAllBytes(Path.of(prefix + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bin.getInt(0)).isEqualTo(70_000);
        MegatronDataset bad = new MegatronDataset(dir.resolve("bad"), 10);
        assertThatThrownBy(() -> bad.addSequence(new int[] {3, 12}, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("12");
        bad.abort();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("bad"));
        }
    }
}
