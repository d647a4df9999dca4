package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.progress.Progress;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.sink.Rows;
import dev.kiln.data.source.JsonlSource;
import dev.kiln.data.source.ReadOptions;
import dev.kiln.data.source.Source;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Corpus} plan: the passes before each dedupe (spilled, then deduplicated), the
 * last pass's {@link LocalRunner}, the report being accumulated, and the run's work directory.
 */
final class CorpusRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Corpus.class);

    private final List<Source> sources;
    private final List<Op> ops;
    private final ReadOptions readOptions;
    private final int workers;
    private final PipelineReport.Accumulator acc;
    private final Path work;
    private final Progress prog;
    private final List<DuplicateSet.Duplicate> duplicates = new ArrayList<>();
    private LocalRunner current;

    CorpusRun(
            List<Source> sources,
            List<Op> ops,
            ReadOptions readOptions,
            int workers,
            ProgressSink progress,
            Path work) {
        this.sources = sources;
        this.ops = ops;
        this.readOptions = readOptions;
        this.workers = workers;
        List<String> names = new ArrayList<>();
        for (Op op : ops) {
            names.add(op.name);
        }
        List<String> srcNames = new ArrayList<>();
        for (Source s : sources) {
            srcNames.add(s.name());
        }
        this.acc = new PipelineReport.Accumulator(names, srcNames);
        this.work = work;
        long total = 0;
        for (Source s : sources) {
            long n = s.estimatedItems();
            total = n < 0 || total < 0 ? -1 : total + n;
        }
        this.prog = Progress.builder()
                .setTask("data")
                .optUnit("docs")
                .optTotal(total)
                .optSink(progress == null ? ProgressSink.auto() : progress)
                .build();
    }

    /**
     * Runs every pass before the last, and returns the last pass's runner. {@code dropped}
     * receives the dropped outcomes of the earlier passes (for {@code dropped/}).
     */
    LocalRunner start(java.util.function.Function<Document, byte[]> encoder, boolean keepDropped, OutcomeSink dropped)
            throws IOException {
        List<Source> src = sources;
        List<Op> segment = new ArrayList<>();
        int spills = 0;
        for (Op op : ops) {
            if (op instanceof Op.DedupeOp d) {
                Path spill = work.resolve("spill-" + spills++ + ".jsonl");
                Files.createDirectories(work);
                try (LocalRunner e = new LocalRunner(
                                src, segment, readOptions, workers, acc, null, keepDropped, false, prog);
                        OutputStream os = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16)) {
                    while (e.hasNext()) {
                        Outcome o = e.next();
                        if (o.kind == Outcome.Kind.KEPT) {
                            os.write(Rows.jsonLine(o.doc, null));
                        } else {
                            dropped.accept(o);
                        }
                    }
                }
                Path dedupWork = work.resolve("dedup-" + spills);
                Files.createDirectories(dedupWork);
                LOG.info("{}: finding duplicates", d.name);
                DuplicateSet set = d.stage.find(new SpillDocuments(spill), dedupWork);
                AtomicFiles.deleteRecursively(dedupWork);
                duplicates.addAll(set.duplicates());
                Map<String, Long> sizes = new LinkedHashMap<>();
                set.clusterSizes().forEach((size, n) -> sizes.put(String.valueOf(size), n));
                acc.clusterSizes.put(d.name, sizes);
                src = List.of(JsonlSource.spill(spill));
                segment = new ArrayList<>();
                segment.add(new Op.DropDuplicatesOp(d.index, d.name, set));
            } else {
                segment.add(op);
            }
        }
        current = new LocalRunner(src, segment, readOptions, workers, acc, encoder, keepDropped, true, prog);
        return current;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
        }
        prog.close();
        AtomicFiles.deleteRecursively(work);
    }

    PipelineReport.Accumulator acc() {
        return acc;
    }

    List<DuplicateSet.Duplicate> duplicates() {
        return duplicates;
    }

    /** Receives the outcomes a run does not keep. */
    interface OutcomeSink {
        void accept(Outcome o) throws IOException;
    }
}
