package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet sink → Parquet source round trip on the JVM the build runs it on: surefire's {@code
 * on-java-17} execution runs it on Java 17, where parquet-hadoop and the shaded Hadoop client
 * must load.
 */
@Tag("java17")
class Java17ParquetTest {

    @TempDir
    Path tmp;

    static List<Document> read(Path p) throws IOException {
        try (Stream<Document> s = Corpus.from(p).optWorkers(2).optProgress(ProgressSink.none()).stream()) {
            return s.toList();
        }
    }

    @Test
    void parquetShardsReadBackAsTheSameDocuments() throws IOException {
        assertThat(Runtime.version().feature())
                .isEqualTo(
                        Integer.getInteger("kiln.expect.java", Runtime.version().feature()));
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            jsonl.append("{\"content\":\"def f")
                    .append(i)
                    .append("():\\n    return 'h\u00e9llo \u4e16\u754c \ud83d\ude00'\\n\",")
                    .append("\"path\":\"pkg/m")
                    .append(i)
                    .append(i % 3 == 0 ? ".py" : ".rs")
                    .append("\",\"licenses\":")
                    .append(i % 2 == 0 ? "[\"MIT\",\"Apache-2.0\"]" : "[]")
                    .append(",\"max_stars_count\":")
                    .append(i * 7)
                    .append(",\"extra\":{\"nested\":[1,2.5,\"x\",null,true]},\"flag\":")
                    .append(i % 2 == 0)
                    .append("}\n");
        }
        Path input = Fixtures.write(tmp.resolve("in.jsonl"), jsonl.toString());
        List<Document> original = read(input);
        assertThat(original).hasSize(40);

        Path out = tmp.resolve("out");
        PipelineReport r = Corpus.from(input)
                .optWorkers(2)
                .optProgress(ProgressSink.none())
                .write(Sinks.parquet(out).optShardBytes(1500));
        assertThat(r.keptDocuments()).isEqualTo(40);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.filter(f -> f.getFileName().toString().matches("part-\\d{5}\\.parquet")))
                    .hasSizeGreaterThan(2);
        }
        assertThat(Manifest.read(out, "dataset").counts()).containsEntry("documents", 40L);
        assertThat(Files.readString(out.resolve("README.md"))).contains("load_dataset(\"parquet\"");

        List<Document> back = read(out);
        assertThat(back).isEqualTo(original);
        assertThat(back.get(0).licenses()).containsExactly("MIT", "Apache-2.0");
        assertThat(back.get(0).metadata()).containsEntry("flag", true);

        // Parquet in, JSONL out: the same rows as JSONL in, JSONL out.
        Corpus.from(out).optProgress(ProgressSink.none()).write(Sinks.jsonl(tmp.resolve("j1")));
        Corpus.from(input).optProgress(ProgressSink.none()).write(Sinks.jsonl(tmp.resolve("j0")));
        assertThat(Fixtures.rows(tmp.resolve("j1"))).isEqualTo(Fixtures.rows(tmp.resolve("j0")));
    }
}
