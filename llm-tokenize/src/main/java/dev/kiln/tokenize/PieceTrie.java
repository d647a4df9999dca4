package dev.kiln.tokenize;

import java.util.Arrays;

/**
 * A trie of pieces over UTF-16 chars: a direct table for the first char, an open-addressing map
 * of (node, char) → child below. Immutable after {@link #add}s; lookups allocate nothing.
 */
final class PieceTrie {

    private final int[] root = new int[1 << 16];
    private final LongIntMap children = new LongIntMap(1 << 10);
    private int[] pieceOf = new int[1 << 10];
    private int nodes = 1; // node 0 is the root

    PieceTrie() {
        Arrays.fill(root, -1);
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
                    children.putNew(((long) node << 16) | c, child);
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
        return children.get(((long) node << 16) | c);
    }

    /** The piece id ending at {@code node}, or -1. */
    int piece(int node) {
        return pieceOf[node];
    }
}
