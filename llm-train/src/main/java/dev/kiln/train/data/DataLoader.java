package dev.kiln.train.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Seeded random batches over {@link TokenSequences}: each epoch visits every row once in an order
 * drawn from {@code (seed, epoch)}; the position ({@link #state()}) is two numbers, saved in
 * checkpoints and restored exactly. The next batch is assembled on a background thread while the
 * current step runs; the order never depends on timing.
 *
 * <pre>{@code
 * try (DataLoader loader = new DataLoader(seqs, 8, 42)) {
 *     DataLoader.Batch b = loader.next();      // b.inputs(), b.targets(): int[batch * seqLen]
 *     long[] state = loader.state();           // {epoch, offset}
 * }
 * }</pre>
 */
public final class DataLoader implements AutoCloseable {

    /** One batch, row-major {@code [batch, seqLen]}. Reused: valid until the next-but-one call. */
    public record Batch(int[] inputs, int[] targets, int batchSize, int seqLen) {}

    private final TokenSequences seqs;
    private final int batchSize;
    private final long seed;
    private final int seqLen;
    private final ExecutorService prefetch;
    private final Batch[] buffers = new Batch[2];
    private final int[] row;
    private int nextBuffer;
    private long epoch;
    private long offset;
    private long[] order;
    private long orderEpoch = -1;
    private Future<Batch> pending;
    private long pendingEpoch;
    private long pendingOffset;

    public DataLoader(TokenSequences seqs, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (seqs.size() < 1) {
            throw new IllegalArgumentException("the token sequences are empty");
        }
        this.seqs = seqs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.seqLen = seqs.seqLen();
        this.row = new int[seqLen + 1];
        for (int i = 0; i < 2; i++) {
            buffers[i] = new Batch(new int[batchSize * seqLen], new int[batchSize * seqLen], batchSize, seqLen);
        }
        this.prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-dataloader");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code {epoch, offset}}: the position of the next batch's first row. */
    public synchronized long[] state() {
        return new long[] {epoch, offset};
    }

    /** Restores a position from {@link #state()}. */
    public synchronized void restore(long[] state) {
        if (state.length != 2 || state[0] < 0 || state[1] < 0 || state[1] >= seqs.size()) {
            throw new IllegalArgumentException(
                    "bad data-loader state " + java.util.Arrays.toString(state) + " for " + seqs.size() + " rows");
        }
        cancelPending();
        this.epoch = state[0];
        this.offset = state[1];
    }

    /** The next batch (advances the position). */
    public synchronized Batch next() {
        Batch b;
        if (pending != null && pendingEpoch == epoch && pendingOffset == offset) {
            try {
                b = pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "reading a batch failed: " + e.getCause().getMessage(), e.getCause());
            }
        } else {
            cancelPending();
            b = assemble(buffers[nextBuffer], epoch, offset);
        }
        nextBuffer ^= 1;
        advance();
        long e = epoch;
        long o = offset;
        Batch target = buffers[nextBuffer];
        pendingEpoch = e;
        pendingOffset = o;
        pending = prefetch.submit(() -> assemble(target, e, o));
        return b;
    }

    private void advance() {
        offset += batchSize;
        while (offset >= seqs.size()) {
            offset -= seqs.size();
            epoch++;
        }
    }

    private void cancelPending() {
        if (pending != null) {
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // The batch is recomputed on the caller's thread.
            }
            pending = null;
        }
    }

    private Batch assemble(Batch into, long epoch0, long offset0) {
        long e = epoch0;
        long o = offset0;
        int[] r = row;
        for (int i = 0; i < batchSize; i++) {
            long idx = rowAt(e, o);
            seqs.read(idx, r);
            System.arraycopy(r, 0, into.inputs(), i * seqLen, seqLen);
            System.arraycopy(r, 1, into.targets(), i * seqLen, seqLen);
            o++;
            if (o >= seqs.size()) {
                o = 0;
                e++;
            }
        }
        return into;
    }

    /** Row of the epoch's permutation at {@code pos} (Fisher–Yates from (seed, epoch)). */
    private long rowAt(long e, long pos) {
        if (orderEpoch != e) {
            long n = seqs.size();
            if (order == null || order.length != n) {
                order = new long[Math.toIntExact(n)];
            }
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + e);
            for (int i = (int) n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            orderEpoch = e;
        }
        return order[(int) pos];
    }

    @Override
    public synchronized void close() {
        cancelPending();
        prefetch.shutdownNow();
    }
}
