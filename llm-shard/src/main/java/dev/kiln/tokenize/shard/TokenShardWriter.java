package dev.kiln.tokenize.shard;

import dev.kiln.core.Document;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.progress.Progress;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.Corpus;
import dev.kiln.tokenize.BpeTokenizer;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokenizes documents into packed training rows of {@code seqLen + 1} int32 tokens (inputs and
 * targets shifted by one, from one row), written as Arrow IPC files plus a {@code manifest.json}.
 *
 * <pre>{@code
 * Manifest m = TokenShardWriter.builder()
 *     .setTokenizer(BpeTokenizer.load(Path.of("tokenizer.json")))
 *     .setOutput(Path.of("shards"))
 *     .setSeqLen(2048)
 *     .optFim(0.5, FimMode.BOTH)
 *     .optMixture(Map.of("java", 0.5, "python", 0.5))
 *     .optValFraction(0.01)
 *     .optSeed(42)
 *     .build()
 *     .write(documents);
 * }</pre>
 *
 * <h2>What a document becomes</h2>
 *
 * {@code [<reponame>repo][<filename>path\n]} (with {@link Builder#optMetadataPrefix}, StarCoder's
 * format; {@code <reponame>} only when the document has {@link Document#REPOSITORY}), then the
 * content (or, with probability {@code fimRate}, its FIM transformation: two split points drawn
 * uniformly over the characters, never inside a surrogate pair), then {@code <|endoftext|>}.
 * Content is encoded as plain text ({@link BpeTokenizer#encodeOrdinary}): a special-token string
 * inside a source file cannot inject a control token. Each document's FIM draws come from a
 * random generator seeded by {@code (seed, document index)}, so the output does not depend on
 * thread scheduling.
 *
 * <h2>Selection, order, packing</h2>
 *
 * <ol>
 *   <li>Documents are tokenized (in parallel) to a temporary file in the output directory.
 *   <li>A seeded permutation orders them (document-level shuffle).
 *   <li>With a mixture, each listed language gets a token budget {@code weight × maxTokens}
 *       (without {@code maxTokens}: the largest total the available tokens allow at those
 *       weights); documents are taken in shuffled order while their language's budget lasts;
 *       unlisted languages are left out. Without a mixture, documents are taken until {@code
 *       maxTokens} (if set).
 *   <li>Whole documents from the front of the shuffled selection form the validation split, until
 *       it holds {@code valFraction} of the selected tokens.
 *   <li>Each split's token stream is cut into rows: row {@code k} holds tokens {@code [k·seqLen,
 *       k·seqLen + seqLen + 1)}, so consecutive rows share one token and every token is a target
 *       exactly once. The last partial row is dropped (counted in the manifest).
 * </ol>
 *
 * <h2>Files</h2>
 *
 * {@code train-00000.arrow, ...} and {@code val-00000.arrow, ...}: Arrow IPC files with one
 * non-nullable column {@code tokens: FixedSizeList<int32>[seqLen + 1]}, record batches of about 8
 * MB, no compression, so {@link TokenDataset} can memory-map each batch's value buffer.
 */
public final class TokenShardWriter {

    private static final Logger LOG = LoggerFactory.getLogger(TokenShardWriter.class);
    /** Kind and version of the manifest. */
    public static final String KIND = "shards";

    public static final int VERSION = 1;

    private final BpeTokenizer tokenizer;
    private final Path output;
    private final int seqLen;
    private final double fimRate;
    private final FimMode fimMode;
    private final boolean metadataPrefix;
    private final Map<String, Double> mixture;
    private final long maxTokens;
    private final double valFraction;
    private final long seed;
    private final long rowsPerFile;
    private final ProgressSink sink;
    private final List<String> inputs;
    private final DocumentTokens docTokens;

    private TokenShardWriter(Builder b) {
        this.tokenizer = b.tokenizer;
        this.output = b.output;
        this.seqLen = b.seqLen;
        this.fimRate = b.fimRate;
        this.fimMode = b.fimMode;
        this.metadataPrefix = b.metadataPrefix;
        this.mixture = b.mixture;
        this.maxTokens = b.maxTokens;
        this.valFraction = b.valFraction;
        this.seed = b.seed;
        this.rowsPerFile = b.rowsPerFile;
        this.sink = b.sink;
        this.inputs = b.inputs;
        this.docTokens = new DocumentTokens(tokenizer, fimRate, fimMode, metadataPrefix, seed);
    }

    /** A builder; tokenizer, output and sequence length are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Tokens of one document, FIM and metadata applied, ending with {@code <|endoftext|>}. */
    int[] documentTokens(Document d, long index) {
        return docTokens.tokens(d, index);
    }

    /**
     * Tokenizes the documents of a {@link Corpus} (its stages run as they stream by), e.g. a dataset
     * written by {@code llm data run}: {@code write(Corpus.from(Path.of("dataset")))}.
     */
    public Manifest write(Corpus corpus) throws IOException {
        Objects.requireNonNull(corpus, "corpus");
        try (Stream<Document> docs = corpus.stream()) {
            Iterator<Document> it = docs.iterator();
            return write(() -> it);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Tokenizes, selects, shuffles, packs and writes; returns the manifest (also written to the
     * output directory, last).
     *
     * @throws IllegalArgumentException when no row could be produced (empty input, or fewer
     *     tokens than one row)
     */
    public Manifest write(Iterable<Document> documents) throws IOException {
        Files.createDirectories(output);
        Path tmp = output.resolve(AtomicFiles.TMP_PREFIX + "tokens.bin");
        Map<String, Integer> languageIds = new LinkedHashMap<>();
        long[] offsets = new long[1024];
        int[] lengths = new int[1024];
        int[] langs = new int[1024];
        int nDocs = 0;
        long totalTokens = 0;
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20));
                    Progress p = progress("tokenize", "docs")) {
                List<Document> batch = new ArrayList<>();
                ByteBuffer le = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                java.util.Iterator<Document> it = documents.iterator();
                while (true) {
                    batch.clear();
                    while (batch.size() < 256 && it.hasNext()) {
                        batch.add(Objects.requireNonNull(it.next(), "document"));
                    }
                    if (batch.isEmpty()) {
                        break;
                    }
                    int base = nDocs;
                    List<Document> docs = batch;
                    int[][] toks = new int[docs.size()][];
                    IntStream.range(0, docs.size())
                            .parallel()
                            .forEach(i -> toks[i] = docTokens.tokens(docs.get(i), base + (long) i));
                    for (int i = 0; i < docs.size(); i++) {
                        if (nDocs == offsets.length) {
                            offsets = Arrays.copyOf(offsets, nDocs * 2);
                            lengths = Arrays.copyOf(lengths, nDocs * 2);
                            langs = Arrays.copyOf(langs, nDocs * 2);
                        }
                        offsets[nDocs] = totalTokens;
                        lengths[nDocs] = toks[i].length;
                        langs[nDocs] = languageIds.computeIfAbsent(docs.get(i).language(), k -> languageIds.size());
                        nDocs++;
                        totalTokens += toks[i].length;
                        for (int t : toks[i]) {
                            if (le.remaining() < 4) {
                                out.write(le.array(), 0, le.position());
                                le.clear();
                            }
                            le.putInt(t);
                        }
                        p.advance(1, docs.get(i).content().length());
                    }
                }
                out.write(le.array(), 0, le.position());
            }
            if (nDocs == 0) {
                throw new IllegalArgumentException("no documents to tokenize: the input is empty");
            }
            return pack(tmp, nDocs, offsets, lengths, langs, languageIds, totalTokens);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Progress progress(String task, String unit) {
        Progress.Builder b = Progress.builder().setTask(task).optUnit(unit);
        if (sink != null) {
            b.optSink(sink);
        }
        return b.build();
    }

    private Manifest pack(
            Path tmp,
            int nDocs,
            long[] offsets,
            int[] lengths,
            int[] langs,
            Map<String, Integer> languageIds,
            long totalTokens)
            throws IOException {
        DocumentSelection sel =
                new DocumentSelection(nDocs, lengths, langs, languageIds, mixture, maxTokens, valFraction, seed);
        String[] langNames = sel.langNames;
        long[] available = sel.available;
        long[] taken = sel.taken;
        int[] selected = sel.selected;
        int nSel = sel.nSel;
        int nVal = sel.nVal;
        long selTokens = sel.selTokens;
        int rowLength = seqLen + 1;
        List<String> trainFiles = new ArrayList<>();
        List<String> valFiles = new ArrayList<>();
        long[] trainStats;
        long[] valStats;
        try (BufferAllocator allocator = new RootAllocator();
                FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ);
                Progress p = progress("pack", "docs")) {
            RowPacker packer = new RowPacker(output, seqLen, rowsPerFile, ch, allocator);
            valStats = packer.pack("val", selected, 0, nVal, offsets, lengths, valFiles, p);
            trainStats = packer.pack("train", selected, nVal, nSel, offsets, lengths, trainFiles, p);
            if (allocator.getAllocatedMemory() != 0) {
                throw new IllegalStateException("Arrow memory leak: " + allocator.getAllocatedMemory() + " bytes");
            }
        }
        if (trainStats[0] == 0) {
            throw new IllegalArgumentException("no training row: " + selTokens + " selected tokens (of " + totalTokens
                    + ") do not fill one row of " + rowLength + " tokens; lower --seq-len or add documents");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("documents", (long) nDocs);
        counts.put("selected_documents", (long) nSel);
        counts.put("val_documents", (long) nVal);
        counts.put("tokens", totalTokens);
        counts.put("selected_tokens", selTokens);
        counts.put("train_rows", trainStats[0]);
        counts.put("val_rows", valStats[0]);
        counts.put("train_tokens", trainStats[1]);
        counts.put("val_tokens", valStats[1]);
        counts.put("dropped_tokens", trainStats[2] + valStats[2]);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("tokenizer_hash", tokenizer.hash());
        props.put("vocab_size", tokenizer.vocabSize());
        props.put("special_tokens", tokenizer.specialTokens());
        props.put("seq_len", seqLen);
        props.put("row_length", rowLength);
        props.put("dtype", "int32");
        props.put("column", ArrowRows.COLUMN);
        props.put("fim", Map.of("mode", fimMode.name().toLowerCase(java.util.Locale.ROOT), "rate", fimRate));
        props.put("metadata_prefix", metadataPrefix);
        Map<String, Object> mix = new LinkedHashMap<>();
        mix.put("weights", mixture);
        mix.put("max_tokens", maxTokens);
        Map<String, Long> avail = new LinkedHashMap<>();
        Map<String, Long> used = new LinkedHashMap<>();
        for (int l = 0; l < langNames.length; l++) {
            avail.put(langNames[l], available[l]);
            used.put(langNames[l], taken[l]);
        }
        mix.put("available_tokens", avail);
        mix.put("selected_tokens", used);
        props.put("mixture", mix);
        props.put("val_fraction", valFraction);
        props.put("files", Map.of("train", trainFiles, "val", valFiles));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("seq_len", seqLen);
        config.put("fim_rate", fimRate);
        config.put("fim_mode", fimMode.name());
        config.put("metadata_prefix", metadataPrefix);
        config.put("mixture", mixture);
        config.put("max_tokens", maxTokens);
        config.put("val_fraction", valFraction);
        config.put("tokenizer_hash", tokenizer.hash());
        Provenance prov = Provenance.builder()
                .setKind(KIND)
                .optInputs(inputs)
                .optConfig(config)
                .optSeed(seed)
                .build();
        Manifest m = new Manifest(KIND, VERSION, counts, prov, props);
        m.write(output);
        LOG.info(
                "wrote {} train rows and {} val rows of {} tokens to {}",
                trainStats[0],
                valStats[0],
                rowLength,
                output);
        return m;
    }

    /** Builder: tokenizer, output and sequence length are required. */
    public static final class Builder {
        private BpeTokenizer tokenizer;
        private Path output;
        private int seqLen = -1;
        private double fimRate;
        private FimMode fimMode = FimMode.PSM;
        private boolean metadataPrefix;
        private Map<String, Double> mixture = Map.of();
        private long maxTokens = -1;
        private double valFraction;
        private long seed = 42;
        private long rowsPerFile = 1 << 16;
        private ProgressSink sink;
        private List<String> inputs = List.of();

        private Builder() {}

        /** The tokenizer; it must have {@code <|endoftext|>} (and the FIM tokens when FIM is on). */
        public Builder setTokenizer(BpeTokenizer tokenizer) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /** The shards directory (created if missing). */
        public Builder setOutput(Path dir) {
            this.output = Objects.requireNonNull(dir, "output");
            return this;
        }

        /** Model context length; rows hold {@code seqLen + 1} tokens. */
        public Builder setSeqLen(int seqLen) {
            if (seqLen < 1) {
                throw new IllegalArgumentException("seq len must be >= 1, got " + seqLen);
            }
            this.seqLen = seqLen;
            return this;
        }

        /** Fill-in-the-middle: the fraction of documents transformed, and the layout. */
        public Builder optFim(double rate, FimMode mode) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("FIM rate must be in [0, 1], got " + rate);
            }
            this.fimRate = rate;
            this.fimMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Prefix each document with {@code <reponame>repo<filename>path\n} (StarCoder). */
        public Builder optMetadataPrefix(boolean prefix) {
            this.metadataPrefix = prefix;
            return this;
        }

        /** Language id → weight (positive; normalised to sum 1). */
        public Builder optMixture(Map<String, Double> weights) {
            double sum = 0;
            for (Map.Entry<String, Double> e : weights.entrySet()) {
                if (e.getValue() == null || !(e.getValue() > 0)) {
                    throw new IllegalArgumentException(
                            "mixture weight of '" + e.getKey() + "' must be > 0, got " + e.getValue());
                }
                sum += e.getValue();
            }
            Map<String, Double> m = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : weights.entrySet()) {
                m.put(e.getKey(), e.getValue() / sum);
            }
            this.mixture = m;
            return this;
        }

        /** Token budget over all selected documents. */
        public Builder optMaxTokens(long maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** Fraction of the selected documents held out for validation (default 0). */
        public Builder optValFraction(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
            }
            this.valFraction = fraction;
            return this;
        }

        /** Seed of the shuffle and of FIM (default 42). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Rows per Arrow file before starting the next one (default 65,536). */
        public Builder optRowsPerFile(long rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("rows per file must be >= 1, got " + rows);
            }
            this.rowsPerFile = rows;
            return this;
        }

        /** Where progress goes (default {@link ProgressSink#auto()}). */
        public Builder optProgressSink(ProgressSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Input names recorded in the provenance. */
        public Builder optInputs(List<String> inputs) {
            this.inputs = List.copyOf(inputs);
            return this;
        }

        /**
         * The writer with these settings (copied: changing the builder later does not change it).
         *
         * @throws IllegalStateException when a required setting is missing
         * @throws IllegalArgumentException when the tokenizer lacks a token the settings need
         */
        public TokenShardWriter build() {
            if (tokenizer == null || output == null || seqLen < 0) {
                throw new IllegalStateException("setTokenizer, setOutput and setSeqLen are required");
            }
            if (tokenizer.endOfTextId().isEmpty()) {
                throw new IllegalArgumentException("the tokenizer has no <|endoftext|> token to join documents with");
            }
            if (fimRate > 0 && tokenizer.fimTemplate().isEmpty()) {
                throw new IllegalArgumentException(
                        "FIM needs <fim_prefix>, <fim_middle> and <fim_suffix> tokens, the tokenizer has "
                                + tokenizer.specialTokens().keySet());
            }
            return new TokenShardWriter(this);
        }
    }
}
