package com.example.tes;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.data.Corpus;
import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Evaluator;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.Sample;
import dev.kiln.eval.SampleGenerator;
import dev.kiln.serve.Server;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.corpus.CorpusTexts;
import dev.kiln.tokenize.shard.TokenShardWriter;
import dev.kiln.train.GptConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.ShardSequences;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Train, serve, evaluate on Java 25: a tiny GPT trained for a few steps, served over the
 * OpenAI-compatible API, and that endpoint evaluated on two HumanEval-X (Java) problems in the
 * sandbox. Exits non-zero when a check fails.
 */
public final class TrainEvalServe {

    public static void main(String[] args) throws Exception {
        Path run = Path.of(args.length > 0 ? args[0] : "run");
        deleteRecursively(run); // a fresh run each time (the Trainer would resume from the last checkpoint)
        Path src = Files.createDirectories(run.resolve("src"));
        for (int i = 0; i < 120; i++) {
            Files.writeString(src.resolve("Ops" + i + ".java"), "public final class Ops" + i + " {\n"
                    + "    public static int add(int a, int b) {\n        return a + b + " + i + ";\n    }\n\n"
                    + "    public static boolean isEven(int n) {\n        return n % 2 == " + (i % 2) + ";\n    }\n}\n");
        }

        // 1. tokenizer + shards (llm-tokenize, which llm-train brings along), then a few training steps;
        //    1,024-token rows, so HumanEval's prompts fit the context
        BpeTrainer bpe = BpeTrainer.builder().setVocabSize(320).build();
        BpeTokenizer tokenizer = CorpusTexts.train(Corpus.from(src), bpe::trainTexts);
        Path shards = run.resolve("shards");
        TokenShardWriter.builder().setTokenizer(tokenizer).setOutput(shards).setSeqLen(1024).build()
                .write(Corpus.from(src));
        Path checkpoints = run.resolve("checkpoints");
        try (ShardSequences train = ShardSequences.open(shards, "train", tokenizer.hash());
                Trainer trainer = Trainer.builder()
                        .setModelConfig(GptConfig.builder().setVocabSize(tokenizer.vocabSize()).setContextLength(1024)
                                .optDModel(32).optHeads(2).optLayers(1).build())
                        .setTokenizer(tokenizer)
                        .setTrainData(train)
                        .optSaveFolder(checkpoints)
                        .optMaxSteps(6)
                        .optBatchSize(4)
                        .optLearningRate(3e-3)
                        .optWarmupSteps(2)
                        .optSeed(7)
                        .build()) {
            TrainResult r = trainer.fit();
            System.out.printf("trained %d steps, loss %.3f -> %s%n", r.steps(), r.lastLoss(), r.lastCheckpoint());
            check(r.steps() == 6, "6 steps, got " + r.steps());
            check(Double.isFinite(r.lastLoss()), "a finite loss, got " + r.lastLoss());
        }

        // 2. serve the checkpoint (llm-serve) and ask it for one completion over HTTP
        try (Server server = Server.builder()
                .setModelLoader(() -> LanguageModels.open(checkpoints.toString()))
                .optHost("127.0.0.1")
                .optPort(0)
                .build()
                .start()) {
            server.awaitReady(Duration.ofMinutes(2));
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"prompt\": \"public static int add(\", \"max_tokens\": 8}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("POST /v1/completions -> " + r.statusCode() + " " + r.body());
            check(r.statusCode() == 200 && r.body().contains("\"choices\""), "a completion, got " + r.statusCode());

            // 3. evaluate the served endpoint (llm-eval, through its OpenAI client) on two problems
            ProblemSet problems = HumanEval.java().limit(2);
            Path eval = run.resolve("eval");
            try (LanguageModel remote = LanguageModels.open(server.url() + "/v1")) {
                List<Sample> samples = SampleGenerator.builder().setModel(remote).setProblems(problems)
                        .optSamplesPerProblem(1).optTemperature(0).optMaxTokens(16).build()
                        .generate(eval.resolve("samples.jsonl"));
                EvalSummary summary = Evaluator.builder().setProblems(problems).optKs(List.of(1)).build()
                        .evaluate(samples, eval);
                System.out.printf("HumanEval-X (Java), 2 problems: pass@1 %.3f %s%n", summary.passAt1(),
                        summary.outcomes());
                check(summary.problems() == 2, "2 problems evaluated, got " + summary.problems());
                check(Files.isRegularFile(eval.resolve("report.html")), "eval/report.html written");
            }
        }
        System.out.println("train-eval-serve: OK");
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("train-eval-serve: FAILED: " + what);
            System.exit(1);
        }
    }

    private TrainEvalServe() {}
}
