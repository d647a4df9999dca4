package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {

    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Llm.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void executesSamplesAndGatesOnABaseline() throws Exception {
        StringBuilder good = new StringBuilder();
        StringBuilder bad = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Problem p = HumanEval.python().get("HumanEval/" + i);
            good.append(dev.kiln.core.io.Json.toLine(
                            java.util.Map.of("task_id", p.taskId(), "completion", p.canonicalSolution())))
                    .append('\n');
            bad.append(dev.kiln.core.io.Json.toLine(java.util.Map.of(
                            "task_id", p.taskId(), "completion", i == 0 ? "    return 1\n" : p.canonicalSolution())))
                    .append('\n');
        }
        Path goodFile = Files.writeString(tmp.resolve("good.jsonl"), good);
        Path badFile = Files.writeString(tmp.resolve("bad.jsonl"), bad);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(
                out,
                err,
                "eval",
                "humaneval",
                "--samples",
                goodFile.toString(),
                "--output",
                tmp.resolve("base").toString(),
                "--limit",
                "3",
                "--workers",
                "2");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"pass@1\":1.0");
        assertThat(tmp.resolve("base/results.jsonl")).exists();

        out = new StringWriter();
        code = run(
                out,
                err,
                "eval",
                "humaneval",
                "--samples",
                badFile.toString(),
                "--output",
                tmp.resolve("new").toString(),
                "--limit",
                "3",
                "--baseline",
                tmp.resolve("base/summary.json").toString(),
                "--max-drop",
                "0.02");
        assertThat(code).isEqualTo(3);
        assertThat(out.toString()).contains("REGRESSION");
    }

    @Test
    void badInputGetsOneLineErrors() throws Exception {
        Path malformed = Files.writeString(
                tmp.resolve("m.jsonl"), "{\"task_id\":\"HumanEval/0\",\"completion\":\"x\"}\n{nope\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(run(out, err, "eval", "humaneval", "--samples", malformed.toString(), "--output", tmp.toString()))
                .isNotZero();
        assertThat(err.toString()).contains("line 2").doesNotContain("\tat ");

        Path unknown =
                Files.writeString(tmp.resolve("u.jsonl"), "{\"task_id\":\"HumanEval/9999\",\"completion\":\"x\"}\n");
        err = new StringWriter();
        assertThat(run(out, err, "eval", "humaneval", "--samples", unknown.toString(), "--output", tmp.toString()))
                .isNotZero();
        assertThat(err.toString()).contains("HumanEval/9999");
    }

    @Test
    void javaScriptRunsPrintTheIsolationAndRefuseWeakerLevelsAndUncoveredSets() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            Problem p = HumanEval.of(dev.kiln.eval.EvalLanguage.JAVASCRIPT).get("JavaScript/" + i);
            rows.append(dev.kiln.core.io.Json.toLine(java.util.Map.of(
                            "task_id",
                            p.taskId(),
                            "completion",
                            i == 0 ? p.canonicalSolution() : "  return 12345;\n}\n")))
                    .append('\n');
        }
        Path file = Files.writeString(tmp.resolve("js.jsonl"), rows);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(
                out,
                err,
                "eval",
                "humaneval",
                "--language",
                "js",
                "--samples",
                file.toString(),
                "--output",
                tmp.resolve("js").toString(),
                "--limit",
                "2",
                "--k",
                "1");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("isolation: "
                        + dev.kiln.eval.exec.Sandbox.detect().isolation().id())
                .contains("\"pass@1\":0.5")
                .contains("\"isolation\":\""
                        + dev.kiln.eval.exec.Sandbox.detect().isolation().id() + "\"");

        err = new StringWriter();
        code = run(
                out,
                err,
                "eval",
                "humaneval",
                "--samples",
                file.toString(),
                "--output",
                tmp.resolve("none").toString(),
                "--limit",
                "2",
                "--isolation",
                "none");
        assertThat(code).isNotZero();
        assertThat(err.toString())
                .contains("refusing to run model-written code with isolation 'none'")
                .contains("--min-isolation none")
                .doesNotContain("\tat ");
        assertThat(tmp.resolve("none")).doesNotExist();

        err = new StringWriter();
        code = run(
                out,
                err,
                "eval",
                "humaneval",
                "--samples",
                file.toString(),
                "--output",
                tmp.resolve("partial").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("162 of 164 problems").contains("--allow-partial");
    }
}
