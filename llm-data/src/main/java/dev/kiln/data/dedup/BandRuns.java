package dev.kiln.data.dedup;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * (band key, document ordinal) records grouped by key with bounded memory: records are buffered in
 * primitive arrays, sorted (stable LSD radix sort, so ordinals stay in input order within a key)
 * and spilled as sorted runs when the buffer is full, then read back through a k-way merge.
 */
final class BandRuns implements Closeable {

    /** Iterates records in (key, ordinal) order. */
    interface Cursor extends Closeable {
        boolean next() throws IOException;

        long key();

        int value();
    }

    private final Path workDir;
    private final int capacity;
    private long[] keys;
    private int[] values;
    private long[] tmpKeys;
    private int[] tmpValues;
    private int size;
    private final List<Path> runs = new ArrayList<>();
    private long total;

    BandRuns(Path workDir, int capacity) {
        this.workDir = workDir;
        this.capacity = capacity;
        this.keys = new long[Math.min(capacity, 1 << 14)];
        this.values = new int[keys.length];
    }

    void add(long key, int value) throws IOException {
        if (size == keys.length) {
            if (size >= capacity) {
                spill();
            } else {
                int n = (int) Math.min(capacity, (long) size * 2);
                keys = java.util.Arrays.copyOf(keys, n);
                values = java.util.Arrays.copyOf(values, n);
            }
        }
        keys[size] = key;
        values[size] = value;
        size++;
        total++;
    }

    long total() {
        return total;
    }

    int spilledRuns() {
        return runs.size();
    }

    private void sort() {
        if (tmpKeys == null || tmpKeys.length < size) {
            tmpKeys = new long[keys.length];
            tmpValues = new int[keys.length];
        }
        long[] k = keys;
        int[] v = values;
        long[] tk = tmpKeys;
        int[] tv = tmpValues;
        int[] count = new int[1 << 16];
        for (int shift = 0; shift < 64; shift += 16) {
            java.util.Arrays.fill(count, 0);
            for (int i = 0; i < size; i++) {
                count[digit(k[i], shift)]++;
            }
            int sum = 0;
            for (int d = 0; d < count.length; d++) {
                int c = count[d];
                count[d] = sum;
                sum += c;
            }
            for (int i = 0; i < size; i++) {
                int pos = count[digit(k[i], shift)]++;
                tk[pos] = k[i];
                tv[pos] = v[i];
            }
            long[] sk = k;
            k = tk;
            tk = sk;
            int[] sv = v;
            v = tv;
            tv = sv;
        }
        // four passes: the sorted data is back in the original arrays
        keys = k;
        values = v;
        tmpKeys = tk;
        tmpValues = tv;
    }

    /** Digits ordered so that the signed order of keys is preserved. */
    private static int digit(long key, int shift) {
        long d = (key >>> shift) & 0xFFFF;
        if (shift == 48) {
            d ^= 0x8000;
        }
        return (int) d;
    }

    private void spill() throws IOException {
        sort();
        Path run = WorkFiles.create(workDir, "near-dedup-bands-", ".run");
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
            for (int i = 0; i < size; i++) {
                out.writeLong(keys[i]);
                out.writeInt(values[i]);
            }
        }
        runs.add(run);
        size = 0;
    }

    /** Ends adding; returns all records in (key, ordinal) order. */
    Cursor finish() throws IOException {
        if (runs.isEmpty()) {
            sort();
            return new Cursor() {
                int i = -1;

                @Override
                public boolean next() {
                    return ++i < size;
                }

                @Override
                public long key() {
                    return keys[i];
                }

                @Override
                public int value() {
                    return values[i];
                }

                @Override
                public void close() {}
            };
        }
        if (size > 0) {
            spill();
        }
        keys = null;
        values = null;
        tmpKeys = null;
        tmpValues = null;
        return new Merge(runs);
    }

    private static final class RunReader {
        final DataInputStream in;
        final int index;
        long key;
        int value;

        RunReader(Path p, int index) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16));
            this.index = index;
        }

        boolean advance() throws IOException {
            try {
                key = in.readLong();
            } catch (EOFException e) {
                return false;
            }
            value = in.readInt();
            return true;
        }
    }

    private static final class Merge implements Cursor {
        private final PriorityQueue<RunReader> heap = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.key, b.key);
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
        private final List<RunReader> all = new ArrayList<>();
        private RunReader current;
        private long key;
        private int value;

        Merge(List<Path> runs) throws IOException {
            for (int i = 0; i < runs.size(); i++) {
                RunReader r = new RunReader(runs.get(i), i);
                all.add(r);
                if (r.advance()) {
                    heap.add(r);
                }
            }
        }

        @Override
        public boolean next() throws IOException {
            if (current != null && current.advance()) {
                heap.add(current);
            }
            current = heap.poll();
            if (current == null) {
                return false;
            }
            key = current.key;
            value = current.value;
            return true;
        }

        @Override
        public long key() {
            return key;
        }

        @Override
        public int value() {
            return value;
        }

        @Override
        public void close() throws IOException {
            for (RunReader r : all) {
                r.in.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (Path p : runs) {
            Files.deleteIfExists(p);
        }
    }
}
