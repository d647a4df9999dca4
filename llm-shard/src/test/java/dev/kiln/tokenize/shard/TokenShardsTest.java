package dev.kiln.tokenize.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.Document;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.TestCorpus;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenShardsTest {

    static final BpeTokenizer TOK = TestCorpus.smallTokenizer();

    static List<Document> documents() throws Exception {
        List<Document> docs = new ArrayList<>();
        for (Path f : TestCorpus.files()) {
            String rel = TestCorpus.repoRoot().relativize(f).toString();
            docs.add(Document.fromSource("kiln", rel, Files.readString(f))
                    .withLanguage("java")
                    .with(Document.REPOSITORY, "kiln/kiln"));
        }
        // a second "language" for the mixture
        for (int i = 0; i < 60; i++) {
            docs.add(Document.fromSource(
                            "py", "m" + i + ".py", "def f" + i + "(x):\n    return x * " + i + "\n".repeat(3))
                    .withLanguage("python"));
        }
        return docs;
    }

    private static TokenShardWriter.Builder writer(Path out) {
        return TokenShardWriter.builder()
                .setTokenizer(TOK)
                .setOutput(out)
                .setSeqLen(64)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofSeconds(5)));
    }

    /** The expected token stream: documents in the writer's order, each as the writer encodes it. */
    @Test
    void writeThenReadEveryRowBothWays(@TempDir Path dir) throws Exception {
        List<Document> docs = documents();
        Path out = dir.resolve("shards");
        Manifest m = writer(out)
                .optMetadataPrefix(true)
                .optRowsPerFile(40)
                .optValFraction(0.1)
                .optSeed(7)
                .build()
                .write(docs);
        long trainRows = m.counts().get("train_rows");
        long valRows = m.counts().get("val_rows");
        assertThat(trainRows).isGreaterThan(80); // more than two files
        assertThat(valRows).isGreaterThan(0);
        assertThat(Files.exists(out.resolve("train-00000.arrow"))).isTrue();
        assertThat(Files.exists(out.resolve("train-00001.arrow"))).isTrue();
        assertThat(Files.exists(out.resolve("val-00000.arrow"))).isTrue();
        assertThat(m.properties().get("tokenizer_hash")).isEqualTo(TOK.hash());

        // all tokens are there: rows overlap by one, tokens of all docs = train + val + dropped
        long total = m.counts().get("tokens");
        assertThat(m.counts().get("train_tokens")
                        + m.counts().get("val_tokens")
                        + m.counts().get("dropped_tokens"))
                .isEqualTo(total);

        List<int[]> viaArrow = readWithArrow(out, "train");
        try (TokenDataset ds = TokenDataset.open(out, "train", TOK)) {
            assertThat(ds.size()).isEqualTo(trainRows).isEqualTo(viaArrow.size());
            int[] buf = new int[ds.rowLength()];
            for (int i = 0; i < ds.size(); i++) {
                assertThat(ds.read(i, buf)).isEqualTo(viaArrow.get(i));
                if (i > 0) {
                    assertThat(viaArrow.get(i)[0]).isEqualTo(viaArrow.get(i - 1)[64]); // stride seq_len
                }
            }
            assertThatThrownBy(() -> ds.read(trainRows)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        // the concatenated rows decode to whole documents separated by <|endoftext|>
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < viaArrow.size(); i++) {
            int[] r = viaArrow.get(i);
            sb.append(TOK.decode(r, i == 0 ? 0 : 1, r.length));
        }
        String text = sb.toString();
        assertThat(text).contains("<|endoftext|><reponame>kiln/kiln<filename>llm-core/src/main/java/dev/kiln/core/");
        int docsInTrain = text.split("<\\|endoftext\\|>", -1).length - 1;
        assertThat(docsInTrain).isGreaterThan(docs.size() / 2);
    }

    @Test
    void deterministicForASeedAndShuffled(@TempDir Path dir) throws Exception {
        List<Document> docs = documents();
        writer(dir.resolve("a")).optSeed(1).build().write(docs);
        writer(dir.resolve("b")).optSeed(1).build().write(docs);
        writer(dir.resolve("c")).optSeed(2).build().write(docs);
        assertThat(Files.readAllBytes(dir.resolve("a/train-00000.arrow")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b/train-00000.arrow")));
        assertThat(Files.readAllBytes(dir.resolve("a/train-00000.arrow")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("c/train-00000.arrow")));
    }

    @Test
    void fimTransformsAboutTheRequestedShare(@TempDir Path dir) throws Exception {
        List<Document> docs = documents();
        TokenShardWriter w = writer(dir).optFim(0.5, FimMode.BOTH).build();
        int pre = TOK.specialTokenId("<fim_prefix>").getAsInt();
        int suf = TOK.specialTokenId("<fim_suffix>").getAsInt();
        int mid = TOK.specialTokenId("<fim_middle>").getAsInt();
        int fim = 0;
        int spm = 0;
        for (int i = 0; i < docs.size(); i++) {
            int[] t = w.documentTokens(docs.get(i), i);
            assertThat(t[t.length - 1]).isEqualTo(TOK.endOfTextId().getAsInt());
            if (t[0] == pre) {
                fim++;
                spm += t[1] == suf ? 1 : 0;
                // rearranging the parts gives the document back
                int s = indexOf(t, suf);
                int md = indexOf(t, mid);
                String doc = docs.get(i).content();
                String restored = t[1] == suf
                        ? TOK.decode(java.util.Arrays.copyOfRange(t, md + 1, t.length - 1))
                                + TOK.decode(java.util.Arrays.copyOfRange(t, s + 1, md))
                        : TOK.decode(java.util.Arrays.copyOfRange(t, 1, s))
                                + TOK.decode(java.util.Arrays.copyOfRange(t, md + 1, t.length - 1))
                                + TOK.decode(java.util.Arrays.copyOfRange(t, s + 1, md));
                assertThat(restored).isEqualTo(doc);
            } else {
                assertThat(TOK.decode(java.util.Arrays.copyOf(t, t.length - 1)))
                        .isEqualTo(docs.get(i).content());
            }
        }
        assertThat(fim).isBetween(docs.size() / 4, docs.size() * 3 / 4);
        assertThat(spm).isBetween(fim / 5, fim * 4 / 5);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void mixtureAndBudget(@TempDir Path dir) throws Exception {
        List<Document> docs = documents();
        Manifest m = writer(dir)
                .optMixture(Map.of("java", 0.5, "python", 0.5))
                .optMaxTokens(1000)
                .build()
                .write(docs);
        @SuppressWarnings("unchecked")
        Map<String, Number> used =
                (Map<String, Number>) ((Map<String, Object>) m.properties().get("mixture")).get("selected_tokens");
        // a language's budget is exceeded by at most its last document (the corpus is this
        // repository's own sources, so document sizes change as the code does)
        long maxJava = docs.stream()
                .filter(d -> d.language().equals("java"))
                .mapToLong(d -> TOK.encodeOrdinary(d.content()).length + 1L)
                .max()
                .orElseThrow();
        assertThat(used.get("python").longValue()).isBetween(500L, 700L);
        assertThat(used.get("java").longValue()).isBetween(500L, 500L + maxJava);
        assertThat(m.counts().get("selected_tokens")).isLessThanOrEqualTo(1000L + 200L + maxJava);
    }

    @Test
    void mismatchedTokenizerAndCorruptFilesAreClearErrors(@TempDir Path dir) throws Exception {
        writer(dir).build().write(documents());
        BpeTokenizer other = BpeTrainer.builder().setVocabSize(400).build().trainTexts(TestCorpus.texts());
        assertThatThrownBy(() -> TokenDataset.open(dir, "train", other))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(TOK.hash())
                .hasMessageContaining(other.hash())
                .hasMessageContaining("manifest.json");
        Path f = dir.resolve("train-00000.arrow");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> TokenDataset.open(dir, "train", TOK))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("train-00000.arrow");
        assertThatThrownBy(() -> writer(dir.resolve("x")).build().write(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    static List<int[]> readWithArrow(Path out, String split) throws Exception {
        List<int[]> rows = new ArrayList<>();
        try (BufferAllocator alloc = new RootAllocator()) {
            for (int k = 0; Files.exists(out.resolve(String.format("%s-%05d.arrow", split, k))); k++) {
                try (FileChannel ch = FileChannel.open(
                                out.resolve(String.format("%s-%05d.arrow", split, k)), StandardOpenOption.READ);
                        ArrowFileReader r = new ArrowFileReader(ch, alloc)) {
                    for (ArrowBlock b : r.getRecordBlocks()) {
                        r.loadRecordBatch(b);
                        FixedSizeListVector v =
                                (FixedSizeListVector) r.getVectorSchemaRoot().getVector("tokens");
                        for (int i = 0; i < v.getValueCount(); i++) {
                            List<?> l = v.getObject(i);
                            rows.add(l.stream().mapToInt(o -> (Integer) o).toArray());
                        }
                    }
                }
            }
            assertThat(alloc.getAllocatedMemory()).isZero();
        }
        return rows;
    }

    /** A dataset written by llm-data's sink tokenizes the same as its documents, and trains the same tokenizer. */
    @Test
    void corpusOverloadsReadDatasetsAsWrittenByTheDataPipeline(@TempDir Path dir) throws Exception {
        List<Document> docs = documents().subList(0, 40);
        Path dataset = dir.resolve("dataset");
        Path src = dir.resolve("src");
        for (Document d : docs) {
            Path f = src.resolve(d.path());
            Files.createDirectories(f.getParent());
            Files.writeString(f, d.content());
        }
        dev.kiln.data.Corpus.from(src).write(dev.kiln.data.sink.Sinks.jsonl(dataset));
        List<Document> written;
        try (var s = dev.kiln.data.Corpus.from(dataset).stream()) {
            written = s.toList();
        }
        assertThat(written).hasSize(docs.size());
        Manifest viaCorpus = writer(dir.resolve("a")).optSeed(3).build().write(dev.kiln.data.Corpus.from(dataset));
        Manifest viaList = writer(dir.resolve("b")).optSeed(3).build().write(written);
        assertThat(viaCorpus.counts()).isEqualTo(viaList.counts());
        assertThat(Files.readAllBytes(dir.resolve("a/train-00000.arrow")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b/train-00000.arrow")));

        BpeTrainer trainer = BpeTrainer.builder()
                .setVocabSize(400)
                .optProgressSink(ProgressSink.lines(s -> {}, Duration.ofSeconds(5)))
                .build();
        BpeTokenizer fromCorpus =
                dev.kiln.tokenize.corpus.CorpusTexts.train(dev.kiln.data.Corpus.from(dataset), trainer::trainTexts);
        BpeTokenizer fromTexts =
                trainer.trainTexts(written.stream().map(Document::content).toList());
        assertThat(fromCorpus.hash()).isEqualTo(fromTexts.hash());
    }
}
