package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.shard.TokenDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizerCliTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Llm.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path sources() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        return p.resolve("llm-core/src/main/java");
    }

    @Test
    void trainEncodeTokenize(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        Run train = run(
                "tokenizer",
                "train",
                "--input",
                sources().toString(),
                "--vocab-size",
                "600",
                "--output",
                tok.toString());
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(BpeTokenizer.load(tok).vocabSize()).isLessThanOrEqualTo(600).isGreaterThan(500);

        Path text = dir.resolve("a.java");
        Files.writeString(text, "class A { int x = 42; }<|endoftext|>");
        Run enc = run("tokenizer", "encode", "--tokenizer", tok.toString(), "--text-file", text.toString());
        assertThat(enc.code()).as(enc.err()).isZero();
        JsonNode arr = Json.mapper().readTree(enc.out());
        assertThat(arr.isArray()).isTrue();
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = arr.get(i).asInt();
        }
        assertThat(ids).isEqualTo(BpeTokenizer.load(tok).encode(Files.readString(text)));

        Path jsonl = dir.resolve("docs.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append(Json.toLine(java.util.Map.of(
                            "content", "def f" + i + "(x):\n    return x + " + i + "\n", "path", "f" + i + ".py")))
                    .append('\n');
        }
        Files.writeString(jsonl, sb.toString());
        Path shards = dir.resolve("shards");
        Run tz = run(
                "tokenize",
                "--tokenizer",
                tok.toString(),
                "--input",
                jsonl.toString(),
                sources().toString(),
                "--output",
                shards.toString(),
                "--seq-len",
                "32",
                "--fim-rate",
                "0.5",
                "--fim-mode",
                "both",
                "--val-fraction",
                "0.1",
                "--mixture",
                "java=0.7,python=0.3",
                "--seed",
                "3");
        assertThat(tz.code()).as(tz.err()).isZero();
        try (TokenDataset ds = TokenDataset.open(shards, "train", BpeTokenizer.load(tok))) {
            assertThat(ds.size()).isPositive();
            assertThat(ds.read(0)).hasSize(33);
        }
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("tokenizer.json");
        Files.writeString(bad, "{\"model\": {\"type\": \"Unigram\"}}");
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "x");
        Run r = run("tokenizer", "encode", "--tokenizer", bad.toString(), "--text-file", text.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Unigram").contains(bad.toString()).doesNotContain("\tat ");
        Run small = run(
                "tokenizer", "train", "--input", text.toString(), "--vocab-size", "100", "--output", bad.toString());
        assertThat(small.code()).isEqualTo(2);
        assertThat(small.err()).contains("100");

        Path good = dir.resolve("good.json");
        assertThat(run(
                                "tokenizer",
                                "train",
                                "--input",
                                sources().toString(),
                                "--vocab-size",
                                "300",
                                "--output",
                                good.toString())
                        .code())
                .isZero();
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"content\": \"x\"}\n{\"path\": \"a.py\"}\n");
        Run tz = run(
                "tokenize",
                "--tokenizer",
                good.toString(),
                "--input",
                jsonl.toString(),
                "--output",
                dir.resolve("s").toString(),
                "--seq-len",
                "8");
        assertThat(tz.code()).isEqualTo(2);
        assertThat(tz.err()).contains("bad.jsonl:2").contains("'content'").doesNotContain("\tat ");
    }
}
