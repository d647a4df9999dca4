package dev.kiln.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

    @Test
    void rowsComeWithTheirLineNumbersAndBlankLinesAreSkipped() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        String text = "{\"a\": 1}\n\n   \n[2]\n{\"torn\": \n\"x\"\n";
        JsonLines.read(
                new BufferedReader(new StringReader(text)),
                (line, row) -> seen.add(line + ":" + row),
                (line, t, e) -> bad.add(line + ":" + t + ":" + e.getMessage().startsWith("not valid JSON")));
        assertThat(seen).containsExactly("1:{\"a\":1}", "4:[2]", "6:\"x\"");
        assertThat(bad).containsExactly("5:{\"torn\": :true");
    }

    @Test
    void aHandlerThatThrowsStopsTheRead() {
        List<Integer> seen = new ArrayList<>();
        assertThatThrownBy(() -> JsonLines.read(
                        new BufferedReader(new StringReader("1\nnope\n3\n")),
                        (line, row) -> seen.add(line),
                        (line, t, e) -> {
                            throw new CorruptArtifactException(
                                    Path.of("f.jsonl"), "line " + line + ": " + e.getMessage());
                        }))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageStartingWith("f.jsonl: line 2: not valid JSON");
        assertThat(seen).containsExactly(1);
    }
}
