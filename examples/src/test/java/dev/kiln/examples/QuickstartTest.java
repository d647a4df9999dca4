package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.Llm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart chain at toy scale, then a rerun that skips every finished stage. */
class QuickstartTest {

    @Test
    void changingTheBuilderAfterBuildDoesNotChangeTheBuiltQuickstart(@TempDir Path tmp) {
        List<Path> inputs = new ArrayList<>(List.of(tmp.resolve("a")));
        List<String> lines = new ArrayList<>();
        Quickstart.Builder b = Quickstart.builder()
                .optWorkdir(tmp.resolve("one"))
                .optInputs(inputs)
                .optVocabSize(512)
                .optSeqLen(64)
                .optModelSize(64, 2)
                .optMaxSteps(4)
                .optOutput(lines::add);
        Quickstart q = b.build();

        b.optWorkdir(tmp.resolve("two"))
                .optInputs(List.of(tmp.resolve("b")))
                .optVocabSize(1024)
                .optSeqLen(128)
                .optModelSize(96, 3)
                .optMaxSteps(9)
                .optTrainMinutes(1)
                .optSeed(7)
                .optOutput(null);
        inputs.add(tmp.resolve("c"));

        Settings s = q.settings();
        assertThat(s.workdir()).isEqualTo(tmp.resolve("one"));
        assertThat(s.inputs()).containsExactly(tmp.resolve("a"));
        assertThat(s.vocabSize()).isEqualTo(512);
        assertThat(s.seqLen()).isEqualTo(64);
        assertThat(s.dModel()).isEqualTo(64);
        assertThat(s.layers()).isEqualTo(2);
        assertThat(s.maxSteps()).isEqualTo(4);
        assertThat(s.trainMinutes()).isEqualTo(5);
        assertThat(s.seed()).isEqualTo(42);
        s.say("still %s", "here");
        assertThat(lines).containsExactly("still here");
    }

    @Test
    void runsEveryStageThenSkipsThemOnARerun(@TempDir Path tmp) throws Exception {
        Path gpl = Files.createDirectories(tmp.resolve("gpl"));
        Files.writeString(
                gpl.resolve("Gpl.java"),
                "/*\n * This code is free software; you can redistribute it and/or modify it under the terms of"
                        + " the GNU General Public License version 2 only, as published by the Free Software"
                        + " Foundation.\n */\npublic class Gpl { int x() { return 1; } }\n");
        Path work = tmp.resolve("work");
        List<String> lines = new ArrayList<>();
        Quickstart.Builder b = Quickstart.builder()
                .optWorkdir(work)
                .optInputs(List.of(ExamplesTest.slf4jSources(), gpl))
                .optVocabSize(512)
                .optSeqLen(64)
                .optModelSize(32, 1)
                .optMaxSteps(4)
                .optEvalLimit(2)
                .optMaxTokens(16)
                .optOutput(lines::add);

        Quickstart.Result r = b.build().run();
        System.out.print(r.summary());

        assertThat(r.stages())
                .extracting(Quickstart.StageResult::stage)
                .containsExactly("data", "tokenizer", "shards", "train", "eval", "serve");
        assertThat(r.stages()).noneMatch(Quickstart.StageResult::skipped);
        assertThat(r.stages().get(0).detail()).contains("1 dropped by license");
        assertThat(work.resolve("data/report.html")).isRegularFile();
        assertThat(work.resolve("tokenizer.json")).isRegularFile();
        assertThat(work.resolve("shards/manifest.json")).isRegularFile();
        assertThat(work.resolve("train/checkpoints/latest")).isRegularFile();
        assertThat(work.resolve("train/report.html")).isRegularFile();
        // the eval stage recorded both languages against the trained checkpoint on the run page
        assertThat(work.resolve("train/evals.jsonl"))
                .content()
                .contains("\"language\":\"java\"", "\"language\":\"python\"");
        assertThat(work.resolve("train/report.html")).content().contains("<h2>Evaluations</h2>", "Provenance");
        assertThat(work.resolve("eval/java/summary.json")).isRegularFile();
        assertThat(work.resolve("eval/python/report.html")).isRegularFile();
        // the harness self-check: canonical solutions pass
        assertThat(r.canonicalPassed()).containsEntry("java", "2/2").containsEntry("python", "2/2");
        assertThat(r.passAt1()).containsKeys("java", "python");
        assertThat(r.valLoss()).isFinite();
        assertThat(r.fimCompletion()).isNotNull();
        assertThat(lines).anyMatch(l -> l.startsWith("serve: POST "));
        assertThat(r.summary()).contains("report: " + work.resolve("data/report.html"));

        Quickstart.Result again = b.build().run();
        assertThat(again.stages().subList(0, 5)).allMatch(Quickstart.StageResult::skipped);
        assertThat(again.stages().get(3).detail()).isEqualTo(r.stages().get(3).detail());
        assertThat(again.canonicalPassed()).isEqualTo(r.canonicalPassed());

        // An interrupted training (checkpoints, no result.json) resumes from its newest checkpoint.
        Files.delete(work.resolve("train/result.json"));
        Quickstart.Result resumed = b.build().run();
        assertThat(resumed.stages().get(3).skipped()).isFalse();
        assertThat(resumed.stages().get(3).detail()).startsWith("4 steps (resumed from 4)");
        assertThat(lines).anyMatch(l -> l.startsWith("train: resuming the planned run"));
    }

    @Test
    void cliHelpNamesTheOptions() {
        java.io.StringWriter sw = new java.io.StringWriter();
        picocli.CommandLine cl = Llm.commandLine();
        cl.setOut(new java.io.PrintWriter(sw));
        assertThat(cl.execute("quickstart", "--help")).isZero();
        assertThat(sw.toString()).contains("--workdir").contains("--minutes");
    }

    @Test
    void badMinutesAreRejectedWithTheValue() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Llm.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        assertThat(cl.execute("quickstart", "--minutes", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("-1.0");
    }
}
