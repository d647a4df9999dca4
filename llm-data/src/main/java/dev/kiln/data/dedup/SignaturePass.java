package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import dev.kiln.core.progress.Progress;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The first step of {@link NearDedup}: signatures, shingle sets and LSH band keys of every document,
 * computed in batches on worker threads and appended to the stores in input order.
 */
final class SignaturePass {

    private final MinHasher hasher;
    private final int permutations;
    private final LshParams lsh;
    private final KeepPolicy keep;
    private final boolean needsShingleSets;

    SignaturePass(NearDedup config) {
        this.hasher = config.hasher();
        this.permutations = config.permutations();
        this.lsh = config.lsh();
        this.keep = config.keep();
        this.needsShingleSets = config.needsShingleSets();
    }

    /** A batch of documents whose signatures one worker computes. */
    private static final class Batch {
        final String[] contents;
        final int count;
        final int firstOrdinal;
        final long chars;
        int[] sigs;
        long[] bandKeys;
        int[] shingleCounts;
        /** The documents' shingle sets one after another; set d ends at {@code setEnds[d]}. */
        PrimitiveLists.Longs shingleSets;

        int[] setEnds;

        Batch(String[] contents, int count, int firstOrdinal, long chars) {
            this.contents = contents;
            this.count = count;
            this.firstOrdinal = firstOrdinal;
            this.chars = chars;
        }
    }

    private static final int BATCH_DOCS = 256;
    private static final int BATCH_CHARS = 1 << 20;

    private Batch compute(Batch b) {
        int k = permutations;
        b.sigs = new int[b.count * k];
        b.shingleCounts = new int[b.count];
        int nb = lsh.bands();
        int rows = lsh.rows();
        b.bandKeys = new long[b.count * nb];
        int[] sig = new int[k];
        PrimitiveLists.Longs sh = null;
        if (needsShingleSets) {
            // one array for the batch, rarely grown: code has about one distinct shingle per 10 chars
            // (9.7-11.3 on the JDK, Python and npm corpora of benchmarks/compare/neardup.sh)
            sh = new PrimitiveLists.Longs((int) Math.min(1 << 24, Math.max(1 << 12, b.chars / 8)));
            b.shingleSets = sh;
            b.setEnds = new int[b.count];
        }
        for (int d = 0; d < b.count; d++) {
            if (sh != null) {
                b.shingleCounts[d] = hasher.signatureAndSet(b.contents[d], sig, sh);
                b.setEnds[d] = sh.size;
            } else {
                b.shingleCounts[d] = hasher.signature(b.contents[d], sig, null);
            }
            System.arraycopy(sig, 0, b.sigs, d * k, k);
            for (int band = 0; band < nb; band++) {
                b.bandKeys[d * nb + band] = MinHasher.bandKey(sig, band, rows);
            }
        }
        return b;
    }

    /** Computes every document's signature, shingle set and band keys, and appends them in input order. */
    void run(
            Iterable<Document> documents,
            int nThreads,
            DocIndex index,
            SignatureStore sigs,
            ShingleStore shingles,
            BandRuns bands)
            throws IOException {
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = nThreads <= 1
                ? null
                : Executors.newFixedThreadPool(nThreads, r -> {
                    Thread t = new Thread(r, "near-dedup-" + threadNo.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ArrayDeque<Future<Batch>> inflight = new ArrayDeque<>();
        int maxInflight = nThreads * 2 + 1;
        try (Progress progress =
                Progress.builder().setTask(NearDedup.NAME).optUnit("docs").build()) {
            Iterator<Document> it = documents.iterator();
            while (it.hasNext()) {
                String[] contents = new String[BATCH_DOCS];
                int count = 0;
                long chars = 0;
                int first = index.size();
                while (count < BATCH_DOCS && chars < BATCH_CHARS && it.hasNext()) {
                    Document doc = it.next();
                    index.add(doc.id(), keep.isFirst() ? 0 : keep.score(doc));
                    contents[count++] = doc.content();
                    chars += doc.content().length();
                }
                Batch batch = new Batch(contents, count, first, chars);
                if (pool == null) {
                    consume(compute(batch), sigs, shingles, bands, progress);
                } else {
                    inflight.add(pool.submit(() -> compute(batch)));
                    while (inflight.size() >= maxInflight
                            || (!inflight.isEmpty() && inflight.peek().isDone())) {
                        consume(await(inflight.poll()), sigs, shingles, bands, progress);
                    }
                }
            }
            while (!inflight.isEmpty()) {
                consume(await(inflight.poll()), sigs, shingles, bands, progress);
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private static Batch await(Future<Batch> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing signatures", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    private void consume(Batch b, SignatureStore sigs, ShingleStore shingles, BandRuns bands, Progress progress)
            throws IOException {
        sigs.append(b.sigs, b.count);
        if (shingles != null) {
            shingles.appendAll(b.shingleSets.a, b.setEnds, b.count); // the store may keep the array
        }
        int nb = lsh.bands();
        for (int d = 0; d < b.count; d++) {
            if (b.shingleCounts[d] > 0) {
                for (int band = 0; band < nb; band++) {
                    bands.add(b.bandKeys[d * nb + band], b.firstOrdinal + d);
                }
            }
        }
        progress.advance(b.count, b.chars);
    }
}
