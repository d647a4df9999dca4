package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Llm.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    Path repo() throws IOException {
        Path r = tmp.resolve("repo");
        Files.createDirectories(r.resolve("src"));
        Files.writeString(
                r.resolve("LICENSE"),
                "Permission is hereby granted, free of charge, to any person obtaining a copy"
                        + " of this software... The above copyright notice and this permission notice shall be included in all copies");
        Files.writeString(r.resolve("src/a.py"), "print('a')\n");
        Files.writeString(r.resolve("src/b.py"), "# SPDX-License-Identifier: GPL-3.0-only\nprint('b')\n");
        return r;
    }

    @Test
    void runWithStagesWritesADataset() throws IOException {
        Path out = tmp.resolve("out");
        Result r = run(
                "data",
                "run",
                "--input",
                repo().toString(),
                "--output",
                out.toString(),
                "--stages",
                "license,optout",
                "--format",
                "jsonl.gz",
                "--workers",
                "2",
                "--write-dropped");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kept 2 of 3 documents").contains("license:not-allowed");
        assertThat(out.resolve("part-00000.jsonl.gz")).isRegularFile();
        assertThat(out.resolve("dropped/part-00000.jsonl.gz")).isRegularFile();
        JsonNode rep = Json.read(out.resolve("report.json"));
        assertThat(rep.get("input").asLong()).isEqualTo(3);
        assertThat(rep.get("stages").get(1).get("name").asText()).isEqualTo("license");
        assertThat(rep.get("stages").get(2).get("name").asText()).isEqualTo("optout");
    }

    @Test
    void sparkEngineOptionsAreCheckedBeforeAnyWork() throws IOException {
        String in = repo().toString();
        String out = tmp.resolve("out").toString();
        Result noEngine = run("data", "run", "--input", in, "--output", out, "--spark-master", "spark://h:7077");
        assertThat(noEngine.code()).isNotZero();
        assertThat(noEngine.err()).contains("--spark-master spark://h:7077 needs --engine spark");
        Result badMaster = run(
                "data", "dedupe", "--input", in, "--output", out, "--engine", "spark", "--spark-master", "sparc://h");
        assertThat(badMaster.code()).isNotZero();
        assertThat(badMaster.err()).contains("unknown Spark master 'sparc://h'");
        Result noDedup = run("data", "run", "--input", in, "--output", out, "--stages", "license", "--engine", "spark");
        assertThat(noDedup.code()).isNotZero();
        assertThat(noDedup.err()).contains("runs the dedup stages, and the recipe 'cli' has none");
        Result badVerify = run("data", "dedupe", "--input", in, "--output", out, "--verify", "fuzzy");
        assertThat(badVerify.err()).contains("unknown verify mode 'fuzzy'; use auto, exact or estimate");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void defaultRecipeAndRecipeFile() throws IOException {
        Path out = tmp.resolve("out");
        Result r = run("data", "run", "--input", repo().toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Json.read(out.resolve("manifest.json"))
                        .get("provenance")
                        .get("config")
                        .get("recipe")
                        .asText())
                .isEqualTo("default");
        Path recipe = Files.writeString(
                tmp.resolve("keep-all.yaml"), "stages:\n  - license: {keep_unknown: true, allow: [MIT, GPL-3.0]}\n");
        Result r2 = run(
                "data", "run", "--input", repo().toString(), "--output", out.toString(), "--recipe", recipe.toString());
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(r2.out()).contains("kept 3 of 3");
    }

    @Test
    void parquetOutputIsTheNextRunsInput() throws IOException {
        Path out = tmp.resolve("out");
        Result r = run(
                "data",
                "run",
                "--input",
                repo().toString(),
                "--output",
                out.toString(),
                "--stages",
                "license",
                "--format",
                "parquet",
                "--shard-bytes",
                "1",
                "--write-dropped");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kept 2 of 3 documents");
        assertThat(out.resolve("part-00000.parquet")).isRegularFile();
        assertThat(out.resolve("part-00001.parquet")).isRegularFile();
        assertThat(out.resolve("dropped/part-00000.parquet")).isRegularFile();
        assertThat(Json.read(out.resolve("manifest.json")).get("format").asText())
                .isEqualTo("parquet");

        // The Parquet dataset read back (shards only), then the dropped Parquet file on its own.
        Path again = tmp.resolve("again");
        Result r2 = run("data", "run", "--input", out.toString(), "--output", again.toString(), "--stages", "none");
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(r2.out()).contains("kept 2 of 2");
        assertThat(Files.readString(again.resolve("part-00000.jsonl")))
                .contains("\"path\":\"src/a.py\"")
                .contains("\"licenses\":[\"MIT\"]");
        Result r3 = run(
                "data",
                "run",
                "--input",
                out.resolve("dropped/part-00000.parquet").toString(),
                "--output",
                tmp.resolve("dropped").toString(),
                "--stages",
                "none");
        assertThat(r3.code()).as(r3.err()).isZero();
        assertThat(Files.readString(tmp.resolve("dropped/part-00000.jsonl")))
                .contains("src/b.py")
                .contains("\"drop_reason\":\"license:not-allowed\"");
    }

    @Test
    void badUsageIsOneLineNoStackTrace() throws IOException {
        Path out = tmp.resolve("out");
        Result missing = run("data", "run", "--input", tmp.resolve("nope").toString(), "--output", out.toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("nope").doesNotContain("\tat ");
        assertThat(out).doesNotExist();

        Path recipe = Files.writeString(tmp.resolve("r.yaml"), "stages: [license]\n");
        Result both = run(
                "data",
                "run",
                "--input",
                repo().toString(),
                "--output",
                out.toString(),
                "--recipe",
                recipe.toString(),
                "--stages",
                "license");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("either --recipe or --stages");

        Result unknown =
                run("data", "run", "--input", repo().toString(), "--output", out.toString(), "--stages", "licence");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown stage 'licence'").contains("license");
        assertThat(out).doesNotExist();

        Result format = run("data", "run", "--input", repo().toString(), "--output", out.toString(), "--format", "csv");
        assertThat(format.err()).contains("unknown output format 'csv'");
    }

    /** An input that yields nothing says why on the command line, for run and dedupe alike. */
    @Test
    void anEmptyResultSaysWhyOnTheCommandLine() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("binaries"));
        Files.write(in.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        Files.write(in.resolve("data.bin"), new byte[] {0, 1, 2, 3, 0, 0, 0, 0});
        Result r = run(
                "data",
                "run",
                "--input",
                in.toString(),
                "--output",
                tmp.resolve("o1").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("kept 0 of 2 documents")
                .contains("no documents kept from 2 input items: dropped read:binary 2");
        Result d = run(
                "data",
                "dedupe",
                "--input",
                in.toString(),
                "--output",
                tmp.resolve("o2").toString());
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(d.out()).contains("no documents kept from 2 input items: dropped read:binary 2");
        Path none = Files.createDirectories(tmp.resolve("nothing"));
        Result e = run(
                "data",
                "run",
                "--input",
                none.toString(),
                "--output",
                tmp.resolve("o3").toString());
        assertThat(e.out()).contains("no documents kept: the inputs held no files or records");
        Result kept = run(
                "data",
                "run",
                "--input",
                repo().toString(),
                "--output",
                tmp.resolve("o4").toString());
        assertThat(kept.out()).doesNotContain("no documents kept");
    }
}
