package dev.kiln.tokenize;

import dev.kiln.core.hash.Fnv1a;
import java.util.Arrays;

/**
 * The BPE model proper (Hugging Face's {@code word.rs} and {@code model.rs}): token bytes, merges
 * by rank, and the two merge paths for one piece, with the per-thread piece cache. Immutable.
 */
final class BpeModel {

    /** Pieces up to this many UTF-8 bytes use the quadratic merge loop, longer ones the heap. */
    static final int SMALL_PIECE = 64;
    /** Pieces up to this many chars are cached. */
    static final int CACHE_MAX_CHARS = 48;
    /** Cache slots per thread (direct-mapped). */
    static final int CACHE_SLOTS = 1 << 15;

    final byte[][] tokenBytes;
    final int[] mergeLeft;
    final int[] mergeRight;
    final int[] mergeResult;
    private final int[] byteToId;
    private final PairTable pairs;

    /**
     * @param tokenBytes bytes of each id (an added token's UTF-8 text; {@code null} for an unused id)
     * @param added the added tokens, which never stand for a single byte
     */
    BpeModel(byte[][] tokenBytes, int[] mergeLeft, int[] mergeRight, int[] mergeResult, AddedVocabulary added) {
        this.tokenBytes = tokenBytes;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeResult = mergeResult;
        this.pairs = new PairTable(mergeLeft, mergeRight);
        // the id of each single byte; a byte-level vocabulary has all 256, a loaded one may lack some (-1)
        this.byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] b = tokenBytes[id];
            if (b != null && b.length == 1 && !added.isAdded(id) && byteToId[b[0] & 0xFF] < 0) {
                byteToId[b[0] & 0xFF] = id;
            }
        }
    }

    /** The bytes of {@code id}; an id outside the vocabulary is an error naming it. */
    byte[] bytesOf(int id) {
        byte[] b = id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
        if (b == null) {
            throw new IllegalArgumentException(
                    "token id " + id + " is not in the vocabulary (size " + tokenBytes.length + ")");
        }
        return b;
    }

    /** Appends the ids of the piece {@code cs[p, q)} to {@code st}'s output. */
    void encodePiece(EncodeState st, char[] cs, int p, int q) {
        int len = q - p;
        int slot = -1;
        if (len <= CACHE_MAX_CHARS && !st.offsets) {
            int h = Fnv1a.hash32(cs, p, q);
            slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
            char[] key = st.cacheKeys[slot];
            if (key != null && key.length == len && Arrays.equals(key, 0, len, cs, p, q)) {
                int[] v = st.cacheValues[slot];
                st.ensureOut(v.length);
                System.arraycopy(v, 0, st.out, st.outLen, v.length);
                st.outLen += v.length;
                st.hits++;
                return;
            }
            st.misses++;
        }
        int before = st.outLen;
        int nb = st.utf8(cs, p, q);
        byte[] bytes = st.bytes;
        int[] syms = st.syms;
        int m = 0;
        for (int i = 0; i < nb; i++) {
            int id = byteToId[bytes[i] & 0xFF];
            if (id >= 0) {
                syms[m++] = id;
            }
        }
        if (m <= SMALL_PIECE) {
            m = mergeSmall(st, syms, m);
            st.ensureOut(m);
            System.arraycopy(syms, 0, st.out, st.outLen, m);
            st.outLen += m;
        } else {
            mergeLarge(st, syms, m);
        }
        if (st.offsets) {
            st.pieceOffsets(cs, p, q, before, tokenBytes);
        } else if (slot >= 0) {
            st.cacheKeys[slot] = Arrays.copyOfRange(cs, p, q);
            st.cacheValues[slot] = Arrays.copyOfRange(st.out, before, st.outLen);
        }
    }

    /** Quadratic merge over reused arrays; fine (and fastest) for short pieces. */
    private int mergeSmall(EncodeState st, int[] syms, int m) {
        if (m < 2) {
            return m;
        }
        int[] ranks = st.ranks;
        for (int i = 0; i < m - 1; i++) {
            ranks[i] = pairs.rank(syms[i], syms[i + 1]);
        }
        while (true) {
            int best = PairTable.NONE;
            int at = -1;
            for (int i = 0; i < m - 1; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            st.ops += m;
            if (at < 0) {
                return m;
            }
            syms[at] = mergeResult[best];
            System.arraycopy(syms, at + 2, syms, at + 1, m - at - 2);
            System.arraycopy(ranks, at + 1, ranks, at, m - at - 2);
            m--;
            if (at > 0) {
                ranks[at - 1] = pairs.rank(syms[at - 1], syms[at]);
            }
            if (at < m - 1) {
                ranks[at] = pairs.rank(syms[at], syms[at + 1]);
            }
        }
    }

    /** Heap over a linked list: O(n log n) for long pieces (e.g. a megabyte of one character). */
    private void mergeLarge(EncodeState st, int[] syms, int m) {
        int[] next = st.next(m);
        int[] prev = st.prev(m);
        st.heapSize = 0;
        for (int i = 0; i < m; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        for (int i = 0; i < m - 1; i++) {
            int r = pairs.rank(syms[i], syms[i + 1]);
            if (r != PairTable.NONE) {
                st.push(((long) r << 32) | i);
            }
        }
        while (st.heapSize > 0) {
            long top = st.pop();
            int r = (int) (top >>> 32);
            int i = (int) top;
            if (syms[i] < 0) {
                continue;
            }
            int j = next[i];
            if (j >= m || pairs.rank(syms[i], syms[j]) != r) {
                continue;
            }
            syms[i] = mergeResult[r];
            syms[j] = -1;
            int k = next[j];
            next[i] = k;
            if (k < m) {
                prev[k] = i;
                int r2 = pairs.rank(syms[i], syms[k]);
                if (r2 != PairTable.NONE) {
                    st.push(((long) r2 << 32) | i);
                }
            }
            int h = prev[i];
            if (h >= 0) {
                int r2 = pairs.rank(syms[h], syms[i]);
                if (r2 != PairTable.NONE) {
                    st.push(((long) r2 << 32) | h);
                }
            }
        }
        int count = 0;
        for (int i = 0; i < m; i = next[i]) {
            count++;
        }
        st.ensureOut(count);
        for (int i = 0; i < m; i = next[i]) {
            st.out[st.outLen++] = syms[i];
        }
    }
}
