package dev.kiln.examples;

import dev.kiln.core.Document;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.data.Corpus;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.shard.FimMode;
import dev.kiln.tokenize.shard.TokenShardWriter;
import dev.kiln.train.GptConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.ShardSequences;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Tokenizes documents into packed shards (with fill-in-the-middle), trains a small GPT on them with
 * checkpoints (a rerun resumes), and completes a prompt with the trained model.
 *
 * <pre>
 * java -cp 'examples/target/kiln-cli.jar:examples/target/lib/*' dev.kiln.examples.TrainModel \
 *     tokenizer.json runs/tiny 200 src/main/java
 * </pre>
 */
public final class TrainModel {

    private TrainModel() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TrainModel TOKENIZER.json RUN_DIR STEPS INPUT...");
            System.exit(2);
        }
        BpeTokenizer tokenizer = BpeTokenizer.load(Path.of(args[0]));
        Path run = Path.of(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path[] inputs = Stream.of(args).skip(3).map(Path::of).toArray(Path[]::new);

        // 1. documents -> packed rows of 129 tokens, half of the documents in FIM (PSM) layout
        List<Document> docs;
        try (Stream<Document> s = Corpus.from(inputs).stream()) {
            docs = s.collect(Collectors.toList());
        }
        Path shards = run.resolve("shards");
        TokenShardWriter.builder()
                .setTokenizer(tokenizer)
                .setOutput(shards)
                .setSeqLen(128)
                .optFim(0.5, FimMode.PSM)
                .optValFraction(0.1)
                .optSeed(42)
                .build()
                .write(docs);

        // 2. a 2-layer GPT trained with AdamW, warmup + cosine decay, checkpoints in run/checkpoints
        try (ShardSequences train = ShardSequences.open(shards, "train", tokenizer.hash());
                ShardSequences val = ShardSequences.open(shards, "val", tokenizer.hash());
                Trainer trainer = Trainer.builder()
                        .setModelConfig(GptConfig.builder()
                                .setVocabSize(tokenizer.vocabSize())
                                .setContextLength(128)
                                .optDModel(64)
                                .optHeads(2)
                                .optLayers(2)
                                .build())
                        .setTokenizer(tokenizer)
                        .setTrainData(train)
                        .optValData(val.size() > 0 ? val : null)
                        .optSaveFolder(run.resolve("checkpoints"))
                        .optMaxSteps(steps)
                        .optBatchSize(8)
                        .optLearningRate(2e-3)
                        .optWarmupSteps(Math.max(1, steps / 10))
                        .optEvalInterval(Math.max(1, steps / 2))
                        .optSeed(42)
                        .build()) {
            TrainResult r = trainer.fit();
            System.out.printf(
                    "trained %d steps (resumed from %d): loss %.3f, val loss %.3f, %.0f ms/step -> %s%n",
                    r.steps(),
                    r.resumedFrom(),
                    r.lastLoss(),
                    r.lastValLoss(),
                    r.medianStepMillis(),
                    r.lastCheckpoint());
        }

        // 3. the newest checkpoint as a LanguageModel (also what `llm serve --model RUN/checkpoints` loads)
        try (LanguageModel model =
                LanguageModels.open(run.resolve("checkpoints").toString())) {
            String text = model.generate(GenerationRequest.builder()
                            .setPrompt("public int size() {")
                            .optMaxTokens(24)
                            .build())
                    .collect()
                    .text();
            System.out.println("completion: " + text);
        }
    }
}
