package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.core.progress.Progress;
import dev.kiln.data.source.ReadOptions;
import dev.kiln.data.source.Source;
import dev.kiln.data.source.SourceItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One pass over sources through a segment of per-document ops: a reader thread cuts the items
 * into batches, workers decode and process batches in parallel, and the iterator hands the
 * outcomes back in input order (bounded: at most {@code 2 * workers + 2} batches in flight), after
 * accounting for them in the report. Limits are applied here, in order, so the result does not
 * depend on the number of workers.
 */
final class LocalRunner implements Iterator<Outcome>, AutoCloseable {

    static final int BATCH_ITEMS = 256;
    static final long BATCH_BYTES = 1L << 20;

    private final List<Source> sources;
    private final List<Op> ops;
    private final ReadOptions readOptions;
    private final PipelineReport.Accumulator acc;
    private final Function<Document, byte[]> encoder;
    private final boolean keepDroppedDocs;
    private final boolean finalPass;
    private final Progress progress;
    private final ExecutorService pool;
    private final BlockingQueue<Future<List<Outcome>>> queue;
    private final Thread reader;
    private final List<Op.LimitOp> limits = new ArrayList<>();
    private final long[] limitCounts;
    private final SeenIds seenIds = new SeenIds();
    private volatile boolean cancelled;

    private List<Outcome> batch = List.of();
    private int pos;
    private boolean done;
    private Outcome next;

    private static final Future<List<Outcome>> END = CompletableFuture.completedFuture(null);
    private static final AtomicInteger RUNS = new AtomicInteger();

    LocalRunner(
            List<Source> sources,
            List<Op> ops,
            ReadOptions readOptions,
            int workers,
            PipelineReport.Accumulator acc,
            Function<Document, byte[]> encoder,
            boolean keepDroppedDocs,
            boolean finalPass,
            Progress progress) {
        this.sources = List.copyOf(sources);
        this.ops = List.copyOf(ops);
        this.readOptions = readOptions;
        this.acc = acc;
        this.encoder = encoder;
        this.keepDroppedDocs = keepDroppedDocs;
        this.finalPass = finalPass;
        this.progress = progress;
        for (Op op : ops) {
            if (op instanceof Op.LimitOp l) {
                limits.add(l);
            }
        }
        this.limitCounts = new long[limits.size()];
        int run = RUNS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "kiln-data-" + run + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.queue = new ArrayBlockingQueue<>(2 * workers + 2);
        this.reader = new Thread(this::readAll, "kiln-data-" + run + "-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    // ---- reader thread ----

    private void readAll() {
        List<SourceItem> items = new ArrayList<>();
        long[] bytes = {0};
        try {
            for (Source s : sources) {
                s.read(readOptions, item -> {
                    if (cancelled) {
                        throw new CancellationException();
                    }
                    items.add(item);
                    bytes[0] += item.size();
                    if (items.size() >= BATCH_ITEMS || bytes[0] >= BATCH_BYTES) {
                        submit(new ArrayList<>(items));
                        items.clear();
                        bytes[0] = 0;
                    }
                });
            }
            if (!items.isEmpty()) {
                submit(new ArrayList<>(items));
            }
            put(END);
        } catch (CancellationException e) {
            // closed early
        } catch (IOException | RuntimeException | Error e) {
            CompletableFuture<List<Outcome>> f = new CompletableFuture<>();
            f.completeExceptionally(e);
            try {
                put(f);
            } catch (CancellationException ignored) {
                // closed early
            }
        }
    }

    private void submit(List<SourceItem> items) {
        put(pool.submit(() -> process(items)));
    }

    private void put(Future<List<Outcome>> f) {
        try {
            while (!queue.offer(f, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (cancelled) {
                    throw new CancellationException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException();
        }
    }

    // ---- workers ----

    private List<Outcome> process(List<SourceItem> items) {
        List<Outcome> out = new ArrayList<>(items.size());
        for (SourceItem item : items) {
            out.add(process(item));
        }
        return out;
    }

    private Outcome process(SourceItem item) {
        SourceItem.Decoded d = item.decode();
        if (d.document() == null) {
            return new Outcome(
                    d.error() ? Outcome.Kind.ERROR : Outcome.Kind.DROPPED,
                    null,
                    "read:" + d.reason(),
                    -1,
                    item.source(),
                    item.path(),
                    d.detail(),
                    item.size(),
                    item.countsAsInput(),
                    null,
                    0,
                    0,
                    null);
        }
        Document doc = d.document();
        String decodedContent = doc.content();
        Map<Integer, String> notes = null;
        for (Op op : ops) {
            String dropKey = null;
            try {
                if (op instanceof Op.StageOp s) {
                    if (s.transform != null) {
                        Document t = s.transform.apply(doc);
                        if (t == null) {
                            return error(item, doc, op, "null-document", "the transform returned null");
                        }
                        doc = t;
                    }
                    if (s.filter != null) {
                        Verdict v = s.filter.test(doc);
                        if (v == null) {
                            return error(item, doc, op, "null-verdict", "the filter returned null");
                        }
                        if (!v.keep()) {
                            dropKey = op.name + ":" + v.reason();
                        } else if (v.note() != null) {
                            if (notes == null) {
                                notes = new HashMap<>(4);
                            }
                            notes.put(op.index, v.note());
                        }
                    }
                } else if (op instanceof Op.SampleOp s) {
                    if (!s.keep(doc)) {
                        dropKey = "sample:not-sampled";
                    }
                } else if (op instanceof Op.DropDuplicatesOp dd) {
                    if (dd.duplicates.isDuplicate(doc.id())) {
                        dropKey = op.name + ":duplicate";
                    }
                }
            } catch (RuntimeException | StackOverflowError e) {
                return error(item, doc, op, "exception", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (dropKey != null) {
                Outcome dropped = new Outcome(
                        Outcome.Kind.DROPPED,
                        keepDroppedDocs ? doc : null,
                        dropKey,
                        op.index,
                        item.source(),
                        doc.path(),
                        null,
                        item.size(),
                        item.countsAsInput(),
                        null,
                        0,
                        0,
                        doc.language());
                dropped.notes = notes;
                return dropped;
            }
        }
        byte[] encoded = encoder == null ? null : encoder.apply(doc);
        Outcome kept = new Outcome(
                Outcome.Kind.KEPT,
                doc,
                null,
                Integer.MAX_VALUE,
                item.source(),
                doc.path(),
                null,
                item.size(),
                item.countsAsInput(),
                encoded,
                doc.content() == decodedContent && d.contentBytes() >= 0 ? d.contentBytes() : doc.utf8Length(),
                maxLine(doc.content()),
                doc.language());
        kept.notes = notes;
        return kept;
    }

    private static Outcome error(SourceItem item, Document doc, Op op, String reason, String detail) {
        return new Outcome(
                Outcome.Kind.ERROR,
                null,
                op.name + ":" + reason,
                op.index,
                item.source(),
                doc.path(),
                detail,
                item.size(),
                item.countsAsInput(),
                null,
                0,
                0,
                doc.language());
    }

    /** The longest line, in chars (indexOf is an intrinsic: no per-char bounds checks). */
    static int maxLine(String s) {
        int max = 0;
        int start = 0;
        int nl;
        while ((nl = s.indexOf('\n', start)) >= 0) {
            max = Math.max(max, nl - start);
            start = nl + 1;
        }
        return Math.max(max, s.length() - start);
    }

    /** A kept row whose id an earlier kept row has: dropped (counted), never an error later. */
    private Outcome duplicateId(Outcome o) {
        return new Outcome(
                Outcome.Kind.DROPPED,
                keepDroppedDocs ? o.doc : null,
                "read:duplicate-id",
                -1,
                o.source,
                o.path,
                null,
                o.inputBytes,
                true,
                null,
                0,
                0,
                o.language);
    }

    // ---- ordered consumer ----

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        while (pos >= batch.size()) {
            List<Outcome> b = take();
            if (b == null) {
                finish();
                return false;
            }
            batch = b;
            pos = 0;
        }
        Outcome o = batch.get(pos);
        batch.set(pos++, null);
        if (o.kind == Outcome.Kind.KEPT && o.countsAsInput && !seenIds.add(o.doc.id())) {
            o = duplicateId(o);
        }
        boolean stop = false;
        for (int i = 0; i < limits.size(); i++) {
            Op.LimitOp l = limits.get(i);
            if (o.reached(l.index)) {
                limitCounts[i]++;
                if (limitCounts[i] >= l.n) {
                    stop = true;
                }
            }
        }
        acc.record(o, ops, finalPass);
        if (o.countsAsInput && progress != null) {
            progress.advance(1, o.inputBytes);
        }
        next = o;
        if (stop) {
            finish();
        }
        return true;
    }

    private List<Outcome> take() {
        try {
            Future<List<Outcome>> f = queue.take();
            if (f == END) {
                return null;
            }
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            close();
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    @Override
    public Outcome next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Outcome o = next;
        next = null;
        return o;
    }

    private void finish() {
        done = true;
        close();
    }

    /** Stops the reader and the workers; outcomes not yet handed out are discarded. */
    @Override
    public void close() {
        cancelled = true;
        pool.shutdownNow();
        queue.clear();
        reader.interrupt();
    }
}
