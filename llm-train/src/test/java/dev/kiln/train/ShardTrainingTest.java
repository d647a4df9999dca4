package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.Document;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.shard.TokenShardWriter;
import dev.kiln.train.data.ShardSequences;
import dev.kiln.train.hf.HfModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training over llm-tokenize's shards with its BPE tokenizer, end to end through a YAML config. */
class ShardTrainingTest {

    @Test
    void trainsOnShardsAndCheckpointsCarryTheBpeTokenizer(@TempDir Path dir) throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("public int add" + i + "(int a, int b) {\n    return a + b * " + i + ";\n}\n");
        }
        BpeTokenizer tok = BpeTrainer.builder()
                .setVocabSize(300)
                .optSpecialTokens(SpecialTokens.codeDefaults())
                .build()
                .train(texts);
        Path tokFile = dir.resolve("tokenizer.json");
        tok.save(tokFile);
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            docs.add(Document.fromSource("t", "A" + i + ".java", texts.get(i)));
        }
        TokenShardWriter.builder()
                .setTokenizer(tok)
                .setOutput(dir.resolve("shards"))
                .setSeqLen(32)
                .optValFraction(0.1)
                .optSeed(1)
                .build()
                .write(docs);
        try (ShardSequences s = ShardSequences.open(dir.resolve("shards"), "train", tok.hash())) {
            assertThat(s.seqLen()).isEqualTo(32);
            assertThat(s.size()).isPositive();
        }
        assertThatThrownBy(() -> ShardSequences.open(dir.resolve("shards"), "train", "0000"))
                .isInstanceOf(CorruptArtifactException.class);
        Path yaml = dir.resolve("run.yaml");
        Files.writeString(
                yaml,
                "model: {vocab_size: " + tok.vocabSize() + ", context_length: 32, d_model: 32,"
                        + " heads: 2, layers: 1}\n"
                        + "data: {shards: shards, tokenizer: tokenizer.json, batch_size: 4}\n"
                        + "optimizer: {lr: 3.0e-3}\nscheduler: {warmup_steps: 2}\nmax_steps: 30\neval_interval: 30\n"
                        + "save_interval: 30\nsave_folder: run/checkpoints\nmetrics: {sinks: jsonl}\n");
        TrainResult r = TrainRun.run(TrainConfig.load(yaml, List.of()), true);
        assertThat(r.lastValLoss()).isLessThan(Math.log(tok.vocabSize()));
        Path ckpt = dir.resolve("run/checkpoints/step-000030");
        assertThat(ckpt.resolve("tokenizer.json")).exists();
        try (LanguageModel lm =
                LanguageModels.open(dir.resolve("run/checkpoints").toString())) {
            assertThat(lm.tokenizer()).isInstanceOf(BpeTokenizer.class);
            String out = lm.generate(GenerationRequest.builder()
                            .setPrompt("public int")
                            .optMaxTokens(8)
                            .build())
                    .collect()
                    .text();
            assertThat(out).isNotEmpty();
        }
        HfModels.export(ckpt, dir.resolve("hf"));
        ModelDir.Loaded back = HfModels.importModel(dir.resolve("hf"), Device.cpu());
        try (GptModel m = back.model()) {
            assertThat(((BpeTokenizer) back.tokenizer()).hash()).isEqualTo(tok.hash());
        }
        // A model vocabulary smaller than the shards' tokenizer is rejected clearly.
        assertThatThrownBy(() -> TrainRun.trainer(
                        TrainConfig.load(yaml, List.of("model.vocab_size=100", "save_folder=other")), true))
                .hasMessageContaining("vocab_size is 100");
    }
}
