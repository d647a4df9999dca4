package dev.kiln.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The quickstart's data side: curate the dataset, train the tokenizer, write the token shards. */
final class CorpusStages {

    private final Settings s;

    CorpusStages(Settings s) {
        this.s = s;
    }

    Quickstart.StageResult data(Path dir) throws IOException {
        long t0 = System.nanoTime();
        if (Manifest.exists(dir) && Files.isRegularFile(dir.resolve("report.json"))) {
            return new Quickstart.StageResult(
                    "data", true, Settings.secondsSince(t0), dataDetail(dir), dir.resolve("report.html"));
        }
        List<Path> inputs = s.inputs() != null ? s.inputs() : Quickstart.defaultCorpus();
        s.say(
                "data: curating %d inputs with the default recipe (filters, PII, parsability, decontamination, dedup) -> %s",
                inputs.size(), dir);
        Corpus corpus = Corpus.from(inputs.toArray(new Path[0])).recipe(Recipe.defaultRecipe());
        if (s.workers() > 0) {
            corpus = corpus.optWorkers(s.workers());
        }
        PipelineReport report = corpus.write(Sinks.jsonl(dir));
        s.say(
                "data: kept %,d of %,d documents (%.1f of %.1f MB)",
                report.keptDocuments(), report.inputDocuments(), report.keptBytes() / 1e6, report.inputBytes() / 1e6);
        report.dropped().forEach((k, v) -> s.say("data:   dropped %-28s %,d", k, v));
        return new Quickstart.StageResult(
                "data", false, Settings.secondsSince(t0), dataDetail(dir), dir.resolve("report.html"));
    }

    private static String dataDetail(Path dir) throws IOException {
        JsonNode r = Json.read(dir.resolve("report.json"));
        long in = r.path("input").asLong(-1);
        long kept = r.path("kept").asLong(-1);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "kept %,d of %,d documents", kept, in));
        long license = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("dropped").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("license:")) {
                license += e.getValue().asLong();
            }
        }
        sb.append(String.format(Locale.ROOT, " (%,d dropped by license)", license));
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("sources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().endsWith("src.zip")) {
                sb.append(String.format(
                        Locale.ROOT,
                        "%nJDK src.zip: %,d of %,d files kept (its GPL-2.0 WITH Classpath-exception files are"
                                + " dropped by the license filter)",
                        e.getValue().path("kept").asLong(),
                        e.getValue().path("input").asLong()));
            }
        }
        return sb.toString();
    }

    /** The curated documents, streamed from the dataset's JSONL shards. */
    static Corpus dataset(Path dir) throws IOException {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("the dataset " + dir + " holds no documents: every input was dropped"
                    + " (see " + dir.resolve("report.html") + ")");
        }
        return Corpus.from(parts.toArray(new Path[0]));
    }

    Quickstart.StageResult tokenizer(Path data, Path file) throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = Files.isRegularFile(file);
        if (!skipped) {
            s.say("tokenizer: training a %d-id byte-level BPE on %s", s.vocabSize(), data);
            Corpus docs = dataset(data);
            BpeTrainer trainer =
                    BpeTrainer.builder().setVocabSize(s.vocabSize()).build();
            BpeTokenizer tok = CorpusTexts.train(docs, trainer::trainTexts);
            tok.save(file);
        }
        BpeTokenizer tok = BpeTokenizer.load(file);
        return new Quickstart.StageResult(
                "tokenizer",
                skipped,
                Settings.secondsSince(t0),
                String.format(Locale.ROOT, "%,d ids, %,d merges -> %s", tok.vocabSize(), tok.mergeCount(), file),
                null);
    }

    Quickstart.StageResult shards(Path data, Path tokenizer, Path dir) throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = Manifest.exists(dir);
        if (!skipped) {
            s.say("shards: packing %d-token rows with 50%% FIM (PSM) -> %s", s.seqLen() + 1, dir);
            List<Document> docs;
            try (Stream<Document> s = dataset(data).stream()) {
                docs = s.collect(Collectors.toList());
            }
            TokenShardWriter.builder()
                    .setTokenizer(BpeTokenizer.load(tokenizer))
                    .setOutput(dir)
                    .setSeqLen(s.seqLen())
                    .optFim(0.5, FimMode.PSM)
                    .optValFraction(0.05)
                    .optSeed(s.seed())
                    .optInputs(List.of(data.toString()))
                    .build()
                    .write(docs);
        }
        Manifest m = Manifest.read(dir, TokenShardWriter.KIND);
        return new Quickstart.StageResult(
                "shards",
                skipped,
                Settings.secondsSince(t0),
                String.format(
                        Locale.ROOT,
                        "%,d train rows, %,d val rows of %d tokens",
                        m.counts().getOrDefault("train_rows", -1L),
                        m.counts().getOrDefault("val_rows", -1L),
                        s.seqLen() + 1),
                null);
    }
}
