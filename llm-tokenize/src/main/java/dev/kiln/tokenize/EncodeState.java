package dev.kiln.tokenize;

import java.util.Arrays;

/** Per-thread, reused buffers and cache of {@link BpeTokenizer}'s encoder. */
final class EncodeState {
    char[] chars = new char[1024];
    byte[] bytes = new byte[256];
    int[] syms = new int[256];
    int[] ranks = new int[256];
    private int[] nextArr = new int[0];
    private int[] prevArr = new int[0];
    long[] heap = new long[0];
    int heapSize;
    int[] out = new int[1024];
    int outLen;
    boolean offsets;
    int[] starts = new int[0];
    int[] ends = new int[0];
    final char[][] cacheKeys = new char[BpeModel.CACHE_SLOTS][];
    final int[][] cacheValues = new int[BpeModel.CACHE_SLOTS][];
    final CharArrayView view = new CharArrayView();
    /** The token index of the last added-token match. */
    final int[] found = new int[1];

    long hits;
    long misses;
    long ops;

    char[] chars(int n) {
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        return chars;
    }

    /** Drops buffers grown by one huge input. */
    void shrink() {
        chars = new char[1024];
        bytes = new byte[256];
        syms = new int[256];
        ranks = new int[256];
        nextArr = new int[0];
        prevArr = new int[0];
        heap = new long[0];
        out = new int[1024];
    }

    void ensureOut(int more) {
        if (outLen + more > out.length) {
            out = Arrays.copyOf(out, Math.max(outLen + more, out.length * 2));
        }
        if (offsets && outLen + more > starts.length) {
            starts = Arrays.copyOf(starts, Math.max(outLen + more, out.length));
            ends = Arrays.copyOf(ends, Math.max(outLen + more, out.length));
        }
    }

    void emit(int id, int start, int end) {
        ensureOut(1);
        if (offsets) {
            starts[outLen] = start;
            ends[outLen] = end;
        }
        out[outLen++] = id;
    }

    int[] next(int m) {
        if (nextArr.length < m) {
            nextArr = new int[m];
        }
        return nextArr;
    }

    int[] prev(int m) {
        if (prevArr.length < m) {
            prevArr = new int[m];
        }
        return prevArr;
    }

    /** UTF-8 of {@code cs[p, q)} into {@link #bytes} (lone surrogates as U+FFFD); returns the length. */
    int utf8(char[] cs, int p, int q) {
        int max = (q - p) * 3;
        if (bytes.length < max) {
            bytes = new byte[Math.max(max, bytes.length * 2)];
        }
        if (syms.length < max) {
            syms = new int[Math.max(max, syms.length * 2)];
            ranks = new int[syms.length];
        }
        return Utf8.encode(cs, p, q, bytes);
    }

    void push(long v) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, Math.max(16, heap.length * 2));
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
            ops++;
        }
        heap[i] = v;
        ops++;
    }

    long pop() {
        long top = heap[0];
        long last = heap[--heapSize];
        int i = 0;
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
                child++;
            }
            if (last <= heap[child]) {
                break;
            }
            heap[i] = heap[child];
            i = child;
            ops++;
        }
        if (heapSize > 0) {
            heap[i] = last;
        }
        ops++;
        return top;
    }

    /** Character offsets of the tokens {@code out[before, outLen)} produced from the piece {@code cs[p, q)}. */
    void pieceOffsets(char[] cs, int p, int q, int before, byte[][] tokenBytes) {
        if (starts.length < outLen) {
            starts = Arrays.copyOf(starts, out.length);
            ends = Arrays.copyOf(ends, out.length);
        }
        int ci = p;
        int cbyte = 0;
        int clen = charBytes(cs, ci, q);
        int b = 0;
        for (int t = before; t < outLen; t++) {
            int e = b + tokenBytes[out[t]].length;
            while (cbyte + clen <= b && ci < q) {
                cbyte += clen;
                ci += charUnits(cs, ci, q);
                clen = ci < q ? charBytes(cs, ci, q) : 0;
            }
            starts[t] = ci;
            while (cbyte + clen < e && ci < q) {
                cbyte += clen;
                ci += charUnits(cs, ci, q);
                clen = ci < q ? charBytes(cs, ci, q) : 0;
            }
            ends[t] = Math.min(q, ci + charUnits(cs, ci, q));
            b = e;
        }
    }

    private static int charUnits(char[] cs, int i, int q) {
        return i + 1 < q && Character.isHighSurrogate(cs[i]) && Character.isLowSurrogate(cs[i + 1]) ? 2 : 1;
    }

    private static int charBytes(char[] cs, int i, int q) {
        char c = cs[i];
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        return charUnits(cs, i, q) == 2 ? 4 : 3;
    }
}
