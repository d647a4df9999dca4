package dev.kiln.tokenize;

import dev.kiln.core.hash.Hash64;
import java.util.Arrays;

/** Pair statistics: counts, the words each pair occurs in, and an indexed max-heap. */
final class MergePairs {
    final byte[][] tok;
    long[] keys = new long[1 << 16];
    int[] ids = new int[1 << 16];
    int mask = keys.length - 1;
    int size;
    int[] left = new int[1 << 12];
    int[] right = new int[1 << 12];
    long[] count = new long[1 << 12];
    /** Pending count changes, applied one pair at a time so the heap stays valid. */
    long[] delta = new long[1 << 12];

    int[] heapPos = new int[1 << 12];
    int[][] words = new int[1 << 12][];
    int[] wordsLen = new int[1 << 12];
    boolean[] touched = new boolean[1 << 12];
    int[] touchedList = new int[1 << 12];
    int touchedCount;
    int[] heap = new int[1 << 12];
    int heapSize;

    MergePairs(byte[][] tok) {
        this.tok = tok;
        Arrays.fill(keys, -1L);
    }

    private int slot(long k) {
        return Hash64.slot(k, mask);
    }

    int id(int a, int b) {
        long k = PairTable.key(a, b);
        int s = slot(k);
        while (keys[s] != -1L) {
            if (keys[s] == k) {
                return ids[s];
            }
            s = (s + 1) & mask;
        }
        if (size == left.length) {
            grow();
        }
        int id = size++;
        keys[s] = k;
        ids[s] = id;
        left[id] = a;
        right[id] = b;
        heapPos[id] = -1;
        if (size * 2 > keys.length) {
            rehash();
        }
        return id;
    }

    private void grow() {
        int n = left.length * 2;
        left = Arrays.copyOf(left, n);
        right = Arrays.copyOf(right, n);
        count = Arrays.copyOf(count, n);
        delta = Arrays.copyOf(delta, n);
        heapPos = Arrays.copyOf(heapPos, n);
        words = Arrays.copyOf(words, n);
        wordsLen = Arrays.copyOf(wordsLen, n);
        touched = Arrays.copyOf(touched, n);
    }

    private void rehash() {
        long[] ok = keys;
        int[] oi = ids;
        keys = new long[ok.length * 2];
        Arrays.fill(keys, -1L);
        ids = new int[keys.length];
        mask = keys.length - 1;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != -1L) {
                int s = slot(ok[i]);
                while (keys[s] != -1L) {
                    s = (s + 1) & mask;
                }
                keys[s] = ok[i];
                ids[s] = oi[i];
            }
        }
    }

    /** Adds {@code c} (may be negative) to the pair's count; records word {@code w} when >= 0. */
    void add(int a, int b, long c, int w) {
        int p = id(a, b);
        delta[p] += c;
        if (w >= 0) {
            int n = wordsLen[p];
            int[] l = words[p];
            if (l == null) {
                l = words[p] = new int[2];
            } else if (l[n - 1] == w) {
                n = -1;
            } else if (n == l.length) {
                l = words[p] = Arrays.copyOf(l, n + (n >> 1) + 1);
            }
            if (n >= 0) {
                l[n] = w;
                wordsLen[p] = n + 1;
            }
        }
        if (!touched[p]) {
            touched[p] = true;
            if (touchedCount == touchedList.length) {
                touchedList = Arrays.copyOf(touchedList, touchedCount * 2);
            }
            touchedList[touchedCount++] = p;
        }
    }

    void heapifyAll() {
        for (int t = 0; t < touchedCount; t++) {
            int p = touchedList[t];
            touched[p] = false;
            count[p] += delta[p];
            delta[p] = 0;
        }
        touchedCount = 0;
        heap = new int[Math.max(16, size)];
        heapSize = 0;
        for (int p = 0; p < size; p++) {
            if (count[p] > 0) {
                heap[heapSize] = p;
                heapPos[p] = heapSize++;
            }
        }
        for (int i = heapSize / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    void flushTouched(int merged) {
        for (int t = 0; t < touchedCount; t++) {
            int p = touchedList[t];
            touched[p] = false;
            count[p] += delta[p];
            delta[p] = 0;
            if (p == merged) {
                count[p] = 0;
            }
            int hp = heapPos[p];
            if (count[p] > 0) {
                if (hp < 0) {
                    if (heapSize == heap.length) {
                        heap = Arrays.copyOf(heap, heapSize * 2);
                    }
                    heap[heapSize] = p;
                    heapPos[p] = heapSize++;
                    siftUp(heapSize - 1);
                } else {
                    siftUp(hp);
                    siftDown(heapPos[p]);
                }
            } else if (hp >= 0) {
                removeAt(hp);
            }
        }
        touchedCount = 0;
    }

    void removeTop() {
        removeAt(0);
    }

    private void removeAt(int i) {
        int p = heap[i];
        heapPos[p] = -1;
        int last = heap[--heapSize];
        if (i < heapSize) {
            heap[i] = last;
            heapPos[last] = i;
            siftUp(i);
            siftDown(heapPos[last]);
        }
    }

    /** Whether pair p goes before pair q: higher count, then smaller left bytes, then smaller right bytes. */
    boolean before(int p, int q) {
        if (count[p] != count[q]) {
            return count[p] > count[q];
        }
        int c = Arrays.compareUnsigned(tok[left[p]], tok[left[q]]);
        if (c == 0) {
            c = Arrays.compareUnsigned(tok[right[p]], tok[right[q]]);
        }
        return c < 0;
    }

    private void siftUp(int i) {
        int p = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int q = heap[parent];
            if (!before(p, q)) {
                break;
            }
            heap[i] = q;
            heapPos[q] = i;
            i = parent;
        }
        heap[i] = p;
        heapPos[p] = i;
    }

    private void siftDown(int i) {
        int p = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
                child++;
            }
            int q = heap[child];
            if (!before(q, p)) {
                break;
            }
            heap[i] = q;
            heapPos[q] = i;
            i = child;
        }
        heap[i] = p;
        heapPos[p] = i;
    }
}
