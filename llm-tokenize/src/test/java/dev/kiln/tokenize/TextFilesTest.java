package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training inputs of any size: streamed files, binary files named and counted, one surrogate policy. */
class TextFilesTest {

    static BpeTrainer trainer(int threads) {
        return BpeTrainer.builder()
                .setVocabSize(400)
                .optThreads(threads)
                .optSpecialTokens(SpecialTokens.none())
                .build();
    }

    @Test
    void aFileLargerThanTheCorpusReadersLimitIsStreamedLineByLine(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 3 << 20; i++) {
            String line = "    int value" + (i % 997) + " = compute(" + (i % 13) + ");\n";
            lines.add(line);
            sb.append(line);
        }
        Path big = dir.resolve("big.txt");
        Files.writeString(big, sb);
        TextFiles in = TextFiles.of(List.of(big));
        BpeTokenizer fromFile = trainer(2).trainFiles(in);
        assertThat(in.filesRead()).isEqualTo(1);
        assertThat(in.bytesRead()).isEqualTo(Files.size(big));
        assertThat(in.skipped()).isEmpty();
        assertThat(fromFile.hash()).isEqualTo(trainer(1).trainTexts(lines).hash());
        // every chunk ends at a line end and none is larger than the bound
        int chunks = 0;
        for (String c : in) {
            assertThat(c.length()).isLessThanOrEqualTo(TextFiles.MAX_CHUNK_CHARS);
            assertThat(c).endsWith("\n");
            chunks++;
        }
        assertThat(chunks).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aLineLongerThanAChunkIsCutWithoutSplittingASurrogatePair(@TempDir Path dir) throws Exception {
        String smile = "\uD83D\uDE00";
        StringBuilder sb = new StringBuilder("a");
        while (sb.length() < TextFiles.MAX_CHUNK_CHARS + 10) {
            sb.append(smile);
        }
        Path f = dir.resolve("long.txt");
        Files.writeString(f, sb);
        StringBuilder back = new StringBuilder();
        for (String c : TextFiles.of(List.of(f))) {
            assertThat(Character.isHighSurrogate(c.charAt(c.length() - 1))).isFalse();
            back.append(c);
        }
        assertThat(back.toString()).isEqualTo(sb.toString());
    }

    @Test
    void binaryFilesAreSkippedNamedAndCounted(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.txt"), "hello hello world world\n");
        Files.write(dir.resolve("b.bin"), new byte[] {1, 2, 0, 3});
        TextFiles in = TextFiles.of(List.of(dir));
        trainer(2).trainFiles(in);
        assertThat(in.filesRead()).isEqualTo(1);
        assertThat(in.skipped()).containsExactly(dir.resolve("b.bin") + ": binary (NUL byte at offset 2)");

        Path onlyBinary = dir.resolve("bin");
        Files.createDirectories(onlyBinary);
        Files.write(onlyBinary.resolve("c.bin"), new byte[] {0});
        assertThatThrownBy(() -> trainer(2).trainFiles(List.of(onlyBinary)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty corpus")
                .hasMessageContaining("read 0 files")
                .hasMessageContaining("skipped 1")
                .hasMessageContaining("c.bin: binary");
    }

    @Test
    void aLoneSurrogateTrainsAsUFFFDAsTheEncoderEncodesIt() {
        List<String> lone = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lone.add("x\uD800y \uDC00\uDC00 z\uD800");
            replaced.add("x\uFFFDy \uFFFD\uFFFD z\uFFFD");
        }
        BpeTokenizer a = trainer(1).trainTexts(lone);
        BpeTokenizer b = trainer(1).trainTexts(replaced);
        assertThat(a.hash()).isEqualTo(b.hash());
        assertThat(a.encode("\uD800")).isEqualTo(a.encode("\uFFFD"));
        assertThat(a.decode(a.encode("\uDC00"))).isEqualTo("\uFFFD");
        assertThat(new String(a.tokenBytes(a.encode(" \uFFFD\uFFFD")[0]), StandardCharsets.UTF_8))
                .startsWith(" \uFFFD");
    }

    @Test
    void theMemoryCapBoundsAllCountingThreadsTogether() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            texts.add("common common w" + i + " ");
        }
        WordCounting counting = new WordCounting(PreTokenizer.code(), SpecialTokens.none(), 4, 400);
        try (dev.kiln.core.progress.Progress p = dev.kiln.core.progress.Progress.builder()
                .setTask("t")
                .optSink(dev.kiln.core.progress.ProgressSink.lines(s -> {}, java.time.Duration.ofHours(1)))
                .build()) {
            WordCounts wc = counting.count(texts, false, p);
            assertThat(wc.size).isLessThanOrEqualTo(400);
        }
        assertThat(BpeTrainer.mostFrequent(new long[] {1, 5, 5, 2}, new byte[][] {{1}, {9}, {3}, {4}}, 4, 2))
                .containsExactly(2, 1);
    }
}
