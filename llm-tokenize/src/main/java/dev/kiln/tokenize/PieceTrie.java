package dev.kiln.tokenize;

import java.util.Arrays;

/**
 * An immutable trie of pieces over UTF-16 chars, laid out for a cache-friendly walk: the children
 * of a node sit in one block with their labels sorted, and blocks are allocated in depth-first
 * order, so the chain of nodes under a long piece lies contiguously. The root's children are
 * found through a direct table. Lookups allocate nothing.
 *
 * <p>Node records are interleaved in one {@code int[]} (first child, child count, piece id), so a
 * step down the trie reads one record and one short run of labels.
 */
final class PieceTrie {

    private static final int REC = 3;
    private static final int LINEAR = 8;

    private final int[] root = new int[1 << 16];
    private final int[] rec;
    private final char[] label;

    private PieceTrie(int[] rec, char[] label) {
        this.rec = rec;
        this.label = label;
    }

    /**
     * A trie of {@code pieces}, piece {@code i} having id {@code i} (the smallest id wins for a
     * repeated piece; empty pieces are ignored). Sorting is skipped when the pieces are already in
     * {@link String#compareTo} order.
     */
    static PieceTrie of(String[] pieces) {
        int n = pieces.length;
        int[] order = IntSort.identity(n);
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = pieces[i - 1].compareTo(pieces[i]) <= 0;
        }
        if (!sorted) {
            IntSort.sort(order, (x, y) -> {
                int c = pieces[x].compareTo(pieces[y]);
                return c != 0 ? c : Integer.compare(x, y);
            });
        }
        return new Builder(pieces, order).build();
    }

    /** The child of {@code node} by {@code c}, or -1 ({@code node} 0 is the root). */
    int child(int node, char c) {
        if (node == 0) {
            return root[c];
        }
        int r = node * REC;
        int lo = rec[r];
        int k = rec[r + 1];
        char[] lb = label;
        if (k <= LINEAR) {
            for (int i = lo, end = lo + k; i < end; i++) {
                char l = lb[i];
                if (l >= c) {
                    return l == c ? i : -1;
                }
            }
            return -1;
        }
        int hi = lo + k - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            char l = lb[mid];
            if (l < c) {
                lo = mid + 1;
            } else if (l > c) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The piece id ending at {@code node}, or -1. */
    int piece(int node) {
        return rec[node * REC + 2];
    }

    /** Nodes, the root included. */
    int nodes() {
        return label.length;
    }

    /** Depth-first construction over the sorted pieces, with an explicit stack (pieces may be long). */
    private static final class Builder {
        private final String[] pieces;
        private final int[] order;
        private int[] rec = new int[REC * 1024];
        private char[] label = new char[1024];
        private int nodes = 1;
        // stack of pending nodes: node, range [lo, hi) of sorted pieces sharing its prefix, depth
        private int[] stack = new int[4 * 64];
        private int sp;

        Builder(String[] pieces, int[] order) {
            this.pieces = pieces;
            this.order = order;
        }

        PieceTrie build() {
            int lo = 0;
            while (lo < order.length && pieces[order[lo]].isEmpty()) {
                lo++;
            }
            rec[0 + 2] = -1;
            push(0, lo, order.length, 0);
            while (sp > 0) {
                sp -= 4;
                expand(stack[sp], stack[sp + 1], stack[sp + 2], stack[sp + 3]);
            }
            PieceTrie t = new PieceTrie(Arrays.copyOf(rec, nodes * REC), Arrays.copyOf(label, nodes));
            Arrays.fill(t.root, -1);
            int f = rec[0];
            for (int i = f; i < f + rec[1]; i++) {
                t.root[label[i]] = i;
            }
            return t;
        }

        /** Sets the piece of {@code node} and allocates its children's block; pushes the children. */
        private void expand(int node, int lo, int hi, int depth) {
            // pieces of exactly this depth end here; sorted by (string, id), so the first has the smallest id
            int piece = -1;
            while (lo < hi && pieces[order[lo]].length() == depth) {
                if (piece < 0) {
                    piece = order[lo];
                }
                lo++;
            }
            int r = node * REC;
            rec[r + 2] = piece;
            int k = 0;
            for (int i = lo; i < hi; ) {
                char c = pieces[order[i]].charAt(depth);
                do {
                    i++;
                } while (i < hi && pieces[order[i]].charAt(depth) == c);
                k++;
            }
            int first = nodes;
            ensure(nodes + k);
            nodes += k;
            rec[r] = first;
            rec[r + 1] = k;
            // push the children last-first, so the first child is expanded next (depth-first layout)
            int at = first + k;
            int i = hi;
            while (i > lo) {
                char c = pieces[order[i - 1]].charAt(depth);
                int j = i - 1;
                while (j > lo && pieces[order[j - 1]].charAt(depth) == c) {
                    j--;
                }
                at--;
                label[at] = c;
                rec[at * REC + 2] = -1;
                push(at, j, i, depth + 1);
                i = j;
            }
        }

        private void push(int node, int lo, int hi, int depth) {
            if (sp + 4 > stack.length) {
                stack = Arrays.copyOf(stack, stack.length * 2);
            }
            stack[sp] = node;
            stack[sp + 1] = lo;
            stack[sp + 2] = hi;
            stack[sp + 3] = depth;
            sp += 4;
        }

        private void ensure(int n) {
            if (n > label.length) {
                int m = Math.max(n, label.length * 2);
                label = Arrays.copyOf(label, m);
                rec = Arrays.copyOf(rec, m * REC);
            }
        }
    }
}
