package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.io.Manifest;
import dev.kiln.data.Corpus;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.Recipe;
import dev.kiln.data.sink.Sinks;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.corpus.CorpusTexts;
import dev.kiln.tokenize.shard.FimMode;
import dev.kiln.tokenize.shard.TokenShardWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's opening example, compiled and run (in a temporary directory) so it stays true. */
class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void readmeExampleRuns() throws Exception {
        // a small repository of this project's own sources, under the Apache-2.0 license
        Path repos = dir.resolve("repos/kiln");
        Files.createDirectories(repos);
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        Files.copy(root.resolve("LICENSE"), repos.resolve("LICENSE"));
        try (Stream<Path> s = Files.walk(root.resolve("llm-core/src/main/java"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path to = repos.resolve(root.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        String cwd = dir.toString();
        // --- README example (paths resolved against the temporary directory) ---
        PipelineReport report = Corpus.from(Path.of(cwd, "repos")) // directories, archives, JSONL, sources jars
                .recipe(Recipe.defaultRecipe()) // license, quality, parsable, decontaminate, dedup, PII
                .write(Sinks.jsonl(Path.of(cwd, "dataset"))); // shards + manifest + report.html + dataset card
        BpeTrainer trainer = BpeTrainer.builder().setVocabSize(8192).build();
        BpeTokenizer tok = CorpusTexts.train(Corpus.from(Path.of(cwd, "dataset")), trainer::trainTexts);
        tok.save(Path.of(cwd, "tokenizer.json"));
        TokenShardWriter.builder()
                .setTokenizer(tok)
                .setOutput(Path.of(cwd, "shards"))
                .setSeqLen(512)
                .optFim(0.5, FimMode.PSM)
                .build()
                .write(Corpus.from(Path.of(cwd, "dataset")));
        // --- end ---
        assertThat(report.keptDocuments()).isGreaterThan(20);
        assertThat(report.inputDocuments())
                .isEqualTo(report.keptDocuments() + report.droppedTotal() + report.errorsTotal());
        assertThat(dir.resolve("dataset/report.html")).exists();
        assertThat(tok.vocabSize()).isGreaterThan(1000);
        Manifest shards = Manifest.read(dir.resolve("shards"), "shards");
        assertThat(shards.counts().get("train_rows")).isGreaterThan(0L);
        assertThat(BpeTokenizer.load(dir.resolve("tokenizer.json")).hash()).isEqualTo(tok.hash());
    }
}
