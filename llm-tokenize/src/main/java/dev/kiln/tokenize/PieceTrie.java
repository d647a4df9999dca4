package dev.kiln.tokenize;

import dev.kiln.core.hash.Hash64;
import java.util.Arrays;

/**
 * A trie of pieces over UTF-16 chars: a direct table for the first char, an open-addressing map
 * of (node, char) → child below. Immutable after {@link #add}s; lookups allocate nothing.
 */
final class PieceTrie {

    private final int[] root = new int[1 << 16];
    private long[] keys = new long[1 << 10];
    private int[] vals = new int[1 << 10];
    private int mask = keys.length - 1;
    private int size;
    private int[] pieceOf = new int[1 << 10];
    private int nodes = 1; // node 0 is the root

    PieceTrie() {
        Arrays.fill(root, -1);
        Arrays.fill(keys, -1L);
        Arrays.fill(pieceOf, -1);
    }

    /** Adds {@code piece} with id {@code id} (the first id wins for a repeated piece). */
    void add(CharSequence piece, int id) {
        int node = 0;
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            int child = child(node, c);
            if (child < 0) {
                child = nodes++;
                if (child == pieceOf.length) {
                    int n = pieceOf.length * 2;
                    pieceOf = Arrays.copyOf(pieceOf, n);
                    Arrays.fill(pieceOf, child, n, -1);
                }
                if (node == 0) {
                    root[c] = child;
                } else {
                    put(node, c, child);
                }
            }
            node = child;
        }
        if (node != 0 && pieceOf[node] < 0) {
            pieceOf[node] = id;
        }
    }

    /** The child of {@code node} by {@code c}, or -1. */
    int child(int node, char c) {
        if (node == 0) {
            return root[c];
        }
        long k = ((long) node << 16) | c;
        int s = slot(k);
        while (keys[s] != -1L) {
            if (keys[s] == k) {
                return vals[s];
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    /** The piece id ending at {@code node}, or -1. */
    int piece(int node) {
        return pieceOf[node];
    }

    private int slot(long k) {
        return Hash64.slot(k, mask);
    }

    private void put(int node, char c, int child) {
        if ((size + 1) * 2 > keys.length) {
            long[] ok = keys;
            int[] ov = vals;
            keys = new long[ok.length * 2];
            vals = new int[ok.length * 2];
            Arrays.fill(keys, -1L);
            mask = keys.length - 1;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i] != -1L) {
                    int s = slot(ok[i]);
                    while (keys[s] != -1L) {
                        s = (s + 1) & mask;
                    }
                    keys[s] = ok[i];
                    vals[s] = ov[i];
                }
            }
        }
        long k = ((long) node << 16) | c;
        int s = slot(k);
        while (keys[s] != -1L) {
            s = (s + 1) & mask;
        }
        keys[s] = k;
        vals[s] = child;
        size++;
    }
}
