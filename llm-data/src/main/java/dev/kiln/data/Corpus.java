package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.core.KilnVersion;
import dev.kiln.core.Provenance;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.sink.Sink;
import dev.kiln.data.source.ReadOptions;
import dev.kiln.data.source.Source;
import dev.kiln.data.source.Sources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A corpus of documents and the plan to clean it: an immutable, fluent description (every call
 * returns a new {@code Corpus}) that runs only at a terminal call, {@link #write(Sink)} or {@link
 * #stream()}.
 *
 * <pre>{@code
 * PipelineReport r = Corpus.from(Path.of("repos"), Path.of("the-stack-java.jsonl.zst"))
 *     .filter(Licenses.permissive())
 *     .map(DocumentTransform.of("strip", d -> d.withContent(d.content().strip())))
 *     .sample(0.5, 42)
 *     .write(Sinks.jsonl(Path.of("out")).optShardBytes(256 << 20));
 * }</pre>
 *
 * <p><b>Running.</b> A reader thread walks the sources in order and cuts their items into
 * batches; {@link #optWorkers(int) workers} (default: all cores) decode and run the per-document
 * stages on batches in parallel; results come back in input order, with at most {@code 2 *
 * workers + 2} batches in flight, so memory stays bounded whatever the corpus size and the output
 * is byte-identical for any number of workers. A stage that is both a {@link DocumentTransform}
 * and a {@link DocumentFilter} is applied, then tested. {@link #limit(long)} counts documents that
 * reach it, in input order, and ends the run when full.
 *
 * <p><b>Dedup.</b> {@link #dedupe(DedupStage)} splits the run in passes: documents that survive
 * the stages before it are spilled to a temporary JSONL file, the {@link DedupStage} reads them
 * once, then the spill is re-read and the duplicates are dropped (as {@code
 * "<stage>:duplicate"}) before the following stages. {@code duplicates.jsonl} lists them.
 *
 * <p><b>Accounting.</b> Every item read (file, archive entry, JSONL record, unreadable file) is
 * counted once in the {@link PipelineReport}: kept, dropped or failed, each with a reason.
 */
public final class Corpus {

    private static final Logger LOG = LoggerFactory.getLogger(Corpus.class);

    private final List<Source> sources;
    private final List<Op> ops;
    private final ReadOptions readOptions;
    private final int workers;
    private final ProgressSink progress;
    private final String recipeName;

    private Corpus(
            List<Source> sources,
            List<Op> ops,
            ReadOptions readOptions,
            int workers,
            ProgressSink progress,
            String recipeName) {
        this.sources = List.copyOf(sources);
        this.ops = List.copyOf(ops);
        this.readOptions = readOptions;
        this.workers = workers;
        this.progress = progress;
        this.recipeName = recipeName;
    }

    /**
     * A corpus of the given paths, each read by the source its kind calls for (see {@link
     * Sources#detect(Path)}): directories, archives, JSONL, Maven sources jars, npm tarballs.
     *
     * @throws java.nio.file.NoSuchFileException when a path does not exist (nothing is read)
     */
    public static Corpus from(Path... paths) throws IOException {
        if (paths == null || paths.length == 0) {
            throw new IllegalArgumentException("Corpus.from needs at least one input path");
        }
        List<Source> s = new ArrayList<>();
        for (Path p : paths) {
            s.add(Sources.detect(Objects.requireNonNull(p, "input path")));
        }
        return of(s);
    }

    /** A corpus of explicitly constructed sources. */
    public static Corpus of(Source... sources) {
        return of(List.of(sources));
    }

    /** A corpus of explicitly constructed sources. */
    public static Corpus of(List<Source> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs at least one source");
        }
        return new Corpus(
                sources, List.of(), ReadOptions.DEFAULTS, Runtime.getRuntime().availableProcessors(), null, null);
    }

    private Corpus withOp(Op op) {
        List<Op> o = new ArrayList<>(ops);
        o.add(op);
        return new Corpus(sources, o, readOptions, workers, progress, recipeName);
    }

    /** Keeps the documents {@code f} keeps; drops are counted as {@code "<f.name()>:<reason>"}. */
    public Corpus filter(DocumentFilter f) {
        return withOp(new Op.StageOp(ops.size(), Objects.requireNonNull(f, "filter")));
    }

    /** Replaces every document by {@code t}'s result. */
    public Corpus map(DocumentTransform t) {
        return withOp(new Op.StageOp(ops.size(), Objects.requireNonNull(t, "transform")));
    }

    /** Adds a stage of any kind: filter, transform (or both), or {@link DedupStage}. */
    public Corpus stage(Stage s) {
        Objects.requireNonNull(s, "stage");
        if (s instanceof DedupStage d) {
            return dedupe(d);
        }
        return withOp(new Op.StageOp(ops.size(), s));
    }

    /** Adds stages in order. */
    public Corpus stages(List<? extends Stage> stages) {
        Corpus c = this;
        for (Stage s : stages) {
            c = c.stage(s);
        }
        return c;
    }

    /** Adds a recipe's stages in order (and records its name in the provenance). */
    public Corpus recipe(Recipe recipe) {
        Corpus c = stages(recipe.stages());
        return new Corpus(c.sources, c.ops, c.readOptions, c.workers, c.progress, recipe.name());
    }

    /** Keeps the first {@code n} documents that reach this point (in input order) and ends the run then. */
    public Corpus limit(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + n);
        }
        return withOp(new Op.LimitOp(ops.size(), n));
    }

    /**
     * Keeps a fraction of the documents, chosen by a hash of each id and the seed: the same seed
     * keeps the same documents, whatever the order or the workers. Drops count as {@code
     * sample:not-sampled}.
     */
    public Corpus sample(double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("sample fraction must be in (0, 1], got " + fraction);
        }
        return withOp(new Op.SampleOp(ops.size(), fraction, seed));
    }

    /** Runs a whole-corpus dedup stage over the documents that survive the stages before it. */
    public Corpus dedupe(DedupStage stage) {
        return withOp(new Op.DedupeOp(ops.size(), Objects.requireNonNull(stage, "dedup stage")));
    }

    /** Worker threads (default: all cores). The output does not depend on it. */
    public Corpus optWorkers(int workers) {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers must be in 1..1024, got " + workers);
        }
        return new Corpus(sources, ops, readOptions, workers, progress, recipeName);
    }

    /** Read limits (file size, zip-bomb caps). */
    public Corpus optReadOptions(ReadOptions options) {
        return new Corpus(sources, ops, Objects.requireNonNull(options, "read options"), workers, progress, recipeName);
    }

    /** Where progress goes (default: {@link ProgressSink#auto()}). */
    public Corpus optProgress(ProgressSink sink) {
        return new Corpus(sources, ops, readOptions, workers, Objects.requireNonNull(sink, "sink"), recipeName);
    }

    /** The names of the planned steps, in order. */
    public List<String> plan() {
        List<String> out = new ArrayList<>();
        for (Op op : ops) {
            out.add(
                    op instanceof Op.LimitOp l
                            ? "limit(" + l.n + ")"
                            : op instanceof Op.SampleOp s
                                    ? "sample(" + s.fraction + ", seed " + s.seed + ")"
                                    : op.name);
        }
        return out;
    }

    // ---- running ----

    /**
     * Runs the plan and writes the kept documents to {@code sink}, then {@code duplicates.jsonl}
     * (after a dedupe), {@code report.json}, {@code report.html}, the dataset card {@code
     * README.md} and {@code manifest.json} into its directory.
     */
    public PipelineReport write(Sink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        long start = System.nanoTime();
        Path dir = sink.directory();
        Path absOut = dir.toAbsolutePath().normalize();
        for (Source s : sources) {
            Path in = Path.of(s.name()).toAbsolutePath().normalize();
            if (absOut.equals(in) || (Files.isDirectory(in) && absOut.startsWith(in))) {
                throw new IllegalArgumentException("the output directory " + dir + " is inside the input " + s.name()
                        + ": the run would read its own output; choose an output outside the inputs");
            }
        }
        PipelineReport report;
        List<Sink.Shard> shards;
        List<DuplicateSet.Duplicate> duplicates;
        try (Sink.Writer w = sink.open();
                CorpusRun run = newRun(dir.resolve(".kiln-work"))) {
            boolean wd = sink.writeDropped();
            CorpusRun.OutcomeSink dropped = o -> {
                if (wd && o.doc != null && o.kind == Outcome.Kind.DROPPED) {
                    w.writeDropped(o.doc, o.key);
                }
            };
            LocalRunner e = run.start(sink::encode, wd, dropped);
            try {
                while (e.hasNext()) {
                    Outcome o = e.next();
                    if (o.kind == Outcome.Kind.KEPT) {
                        w.write(o.doc, o.encoded);
                    } else {
                        dropped.accept(o);
                    }
                }
            } catch (UncheckedIOException ex) {
                throw ex.getCause();
            }
            shards = w.finish();
            report = run.acc().build();
            duplicates = run.duplicates();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (hasDedupe()) {
            DatasetFiles.writeDuplicates(dir.resolve("duplicates.jsonl"), duplicates);
        }
        report.writeJson(dir.resolve("report.json"));
        report.writeHtml(
                dir.resolve("report.html"),
                "Kiln dataset report: " + dir.toAbsolutePath().getFileName());
        AtomicFiles.writeString(dir.resolve("README.md"), DatasetCard.render(this, sink, report, shards));
        DatasetFiles.manifest(provenance(sink), workers, sink, report, shards, seconds)
                .write(dir);
        LOG.info(
                "{}: kept {} of {} documents ({} dropped, {} errors) in {} s",
                dir,
                report.keptDocuments(),
                report.inputDocuments(),
                report.droppedTotal(),
                report.errorsTotal(),
                String.format(java.util.Locale.ROOT, "%.1f", seconds));
        report.whyEmpty().ifPresent(why -> LOG.warn("{}: {}", dir, why));
        return report;
    }

    private boolean hasDedupe() {
        for (Op op : ops) {
            if (op instanceof Op.DedupeOp) {
                return true;
            }
        }
        return false;
    }

    /** The provenance of a run of this plan (inputs, stages, read limits, seeds, versions). */
    Provenance provenance(Sink sink) {
        Provenance.Builder b = Provenance.builder().setKind("dataset");
        for (Source s : sources) {
            b.optInput(s.name());
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        if (recipeName != null) {
            cfg.put("recipe", recipeName);
        }
        cfg.put("stages", plan());
        cfg.put("format", sink.format());
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("max_file_bytes", readOptions.maxFileBytes());
        read.put("max_record_bytes", readOptions.maxRecordBytes());
        read.put("max_compression_ratio", readOptions.maxCompressionRatio());
        read.put("max_archive_bytes", readOptions.maxArchiveBytes());
        cfg.put("read", read);
        b.optConfig(cfg);
        for (Op op : ops) {
            if (op instanceof Op.SampleOp s) {
                b.optSeed(s.seed);
            }
        }
        b.optVersion("kiln-data", KilnVersion.get());
        return b.build();
    }

    /**
     * The kept documents, in input order, computed lazily in the background (with the same
     * runner as {@link #write}). Close the stream to stop early. Runs with a {@link
     * #dedupe(DedupStage)} do their first passes when the stream is created.
     */
    public Stream<Document> stream() {
        CorpusRun run;
        LocalRunner e;
        try {
            run = newRun(Files.createTempDirectory("kiln-corpus-"));
            e = run.start(null, false, o -> {});
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Iterator<Document> it = new Iterator<>() {
            Document next;

            @Override
            public boolean hasNext() {
                while (next == null && e.hasNext()) {
                    Outcome o = e.next();
                    if (o.kind == Outcome.Kind.KEPT) {
                        next = o.doc;
                    }
                }
                return next != null;
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Document d = next;
                next = null;
                return d;
            }
        };
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        run.close();
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
    }

    /** Runs the plan without writing anything and returns the report (e.g. to preview a recipe). */
    public PipelineReport report() {
        try (CorpusRun run = newRun(Files.createTempDirectory("kiln-corpus-"))) {
            LocalRunner e = run.start(null, false, o -> {});
            while (e.hasNext()) {
                e.next();
            }
            return run.acc().build();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    List<Source> sources() {
        return sources;
    }

    private CorpusRun newRun(Path work) {
        return new CorpusRun(sources, ops, readOptions, workers, progress, work);
    }

    String recipeName() {
        return recipeName;
    }
}
