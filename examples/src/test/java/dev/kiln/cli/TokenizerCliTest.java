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
        // A row without 'content' is counted and skipped as in every Corpus run, not fatal.
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(
                jsonl, "{\"content\": \"int x = 1; int y = 2; int z = 3;\"}\n{\"path\": \"a.py\"}\n".repeat(20));
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
        assertThat(tz.code()).as(tz.err()).isZero();
        assertThat(tz.out()).contains("from 20 documents");
        // An input that yields nothing says why.
        Path binaries = Files.createDirectories(dir.resolve("binaries"));
        Files.write(binaries.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        Run empty = run(
                "tokenize",
                "--tokenizer",
                good.toString(),
                "--input",
                binaries.toString(),
                "--output",
                dir.resolve("s3").toString(),
                "--seq-len",
                "8");
        assertThat(empty.code()).isNotZero();
        assertThat(empty.err())
                .contains("no documents to tokenize: no documents kept from 1 input items: dropped read:binary 1")
                .doesNotContain("\tat ");
        // A missing input is one line naming it, before any work.
        Run missing = run(
                "tokenize",
                "--tokenizer",
                good.toString(),
                "--input",
                dir.resolve("nope.jsonl").toString(),
                "--output",
                dir.resolve("s2").toString(),
                "--seq-len",
                "8");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.jsonl").doesNotContain("\tat ");
        assertThat(dir.resolve("s2")).doesNotExist();
    }

    /** One text file over the corpus reader's 1 MB limit trains (streamed); both models; --count. */
    @Test
    void aLargeTextFileTrainsBpeAndUnigramAndEncodeCounts(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < (3 << 19); i++) {
            sb.append("    public int field")
                    .append(i % 500)
                    .append(" = compute(")
                    .append(i % 7)
                    .append(");\n");
        }
        Path text = dir.resolve("big.txt");
        Files.writeString(text, sb);
        Path bin = dir.resolve("x.bin");
        Files.write(bin, new byte[] {0, 1, 2});
        for (String model : new String[] {"bpe", "unigram"}) {
            Path tok = dir.resolve(model + ".json");
            Run train = run(
                    "tokenizer",
                    "train",
                    "--model",
                    model,
                    "--input",
                    text.toString(),
                    bin.toString(),
                    "--vocab-size",
                    "400",
                    "--output",
                    tok.toString());
            assertThat(train.code()).as(train.err()).isZero();
            assertThat(train.out())
                    .contains("read 1 file (" + Files.size(text) + " bytes)")
                    .contains("skipped 1: " + bin + ": binary")
                    .contains(model + " tokenizer");
            Run count = run(
                    "tokenizer", "encode", "--tokenizer", tok.toString(), "--text-file", text.toString(), "--count");
            assertThat(count.code()).as(count.err()).isZero();
            assertThat(count.out()).matches("(?s)\\d+ tokens, " + sb.length() + " chars .* tokens/s\\s*");
        }
        Run mixed = run(
                "tokenizer",
                "train",
                "--input",
                text.toString(),
                dir.toString(),
                "--vocab-size",
                "400",
                "--output",
                dir.resolve("m.json").toString());
        assertThat(mixed.code()).isEqualTo(2);
        assertThat(mixed.err()).contains("mixes plain text files and corpus inputs");
    }
}
