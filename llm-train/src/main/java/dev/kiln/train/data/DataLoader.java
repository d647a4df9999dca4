package dev.kiln.train.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Seeded random batches over {@link TokenSequences}: each epoch visits every row once in an order
 * drawn from {@code (seed, epoch)}; the position ({@link #state()}) is two numbers, saved in
 * checkpoints and restored exactly. A background thread assembles the next {@value #AHEAD} batches
 * while steps run, so a step only waits when reading falls behind; the order never depends on
 * timing.
 *
 * <pre>{@code
 * try (DataLoader loader = new DataLoader(seqs, 8, 42)) {
 *     DataLoader.Batch b = loader.next();      // b.inputs(), b.targets(): int[batch * seqLen]
 *     long[] state = loader.state();           // {epoch, offset}
 * }
 * }</pre>
 */
public final class DataLoader implements AutoCloseable {

    /** Batches assembled ahead of the consumer. */
    static final int AHEAD = 3;

    /** One batch, row-major {@code [batch, seqLen]}. Reused: valid until the next-but-one call. */
    public record Batch(int[] inputs, int[] targets, int batchSize, int seqLen) {}

    /** A filled buffer and the position of its first row, or the failure that stopped the reader. */
    private record Ready(Batch batch, long epoch, long offset, RuntimeException failure) {}

    private final TokenSequences seqs;
    private final int batchSize;
    private final long seed;
    private final int seqLen;
    private final int[] row;
    /** Buffers the reader may fill: all but the two the consumer may still be using. */
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(AHEAD + 2);

    private final BlockingQueue<Ready> ready = new ArrayBlockingQueue<>(AHEAD + 2);
    private final Batch[] held = new Batch[2];
    private int heldNext;
    private long epoch;
    private long offset;
    private long[] order;
    private long orderEpoch = -1;
    private Thread reader;
    private boolean closed;

    /**
     * Batches of {@code batchSize} sequences in an order shuffled by {@code seed}.
     *
     * @throws IllegalArgumentException when {@code batchSize < 1} or there are no sequences
     */
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
        for (int i = 0; i < AHEAD + 2; i++) {
            free.add(new Batch(new int[batchSize * seqLen], new int[batchSize * seqLen], batchSize, seqLen));
        }
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
        stopReader();
        this.epoch = state[0];
        this.offset = state[1];
    }

    /** The next batch (advances the position). */
    public synchronized Batch next() {
        if (closed) {
            throw new IllegalStateException("the data loader is closed");
        }
        if (reader == null) {
            startReader();
        }
        Ready r;
        try {
            r = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        if (r.failure() != null) {
            stopReader();
            throw new IllegalStateException(
                    "reading a batch failed: " + r.failure().getMessage(), r.failure());
        }
        if (r.epoch() != epoch || r.offset() != offset) {
            throw new IllegalStateException("data loader out of order: got batch at (" + r.epoch() + ", " + r.offset()
                    + "), expected (" + epoch + ", " + offset + ")");
        }
        // The batch returned two calls ago may be reused now.
        if (held[heldNext] != null) {
            free.add(held[heldNext]);
        }
        held[heldNext] = r.batch();
        heldNext ^= 1;
        offset += batchSize;
        epoch += offset / seqs.size();
        offset %= seqs.size();
        return r.batch();
    }

    /** Starts the reader at the consumer's position. */
    private void startReader() {
        long e0 = epoch;
        long o0 = offset;
        Thread t = new Thread(
                () -> {
                    long e = e0;
                    long o = o0;
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            Batch into = free.take();
                            Ready r;
                            try {
                                r = new Ready(assemble(into, e, o), e, o, null);
                            } catch (RuntimeException failure) {
                                ready.put(new Ready(null, e, o, failure));
                                return;
                            }
                            ready.put(r);
                            o += batchSize;
                            e += o / seqs.size();
                            o %= seqs.size();
                        }
                    } catch (InterruptedException stop) {
                        // restore() or close()
                    }
                },
                "kiln-dataloader");
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    /** Stops the reader and takes back every buffer it filled or was filling. */
    private void stopReader() {
        if (reader == null) {
            return;
        }
        reader.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        reader = null;
        Ready r;
        while ((r = ready.poll()) != null) {
            if (r.batch() != null) {
                free.add(r.batch());
            }
        }
        // A buffer the reader had taken when it stopped (or failed on) is rebuilt: every buffer not
        // held by the consumer goes back to the free queue.
        int missing = AHEAD + 2 - free.size() - (held[0] == null ? 0 : 1) - (held[1] == null ? 0 : 1);
        for (int i = 0; i < missing; i++) {
            free.add(new Batch(new int[batchSize * seqLen], new int[batchSize * seqLen], batchSize, seqLen));
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
        closed = true;
        stopReader();
    }
}
