package dev.kiln.data.dedup;

/** Union-find over document ordinals with path halving; the root of a set is its smallest member. */
final class UnionFind {

    private int[] parent;

    UnionFind(int n) {
        parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
    }

    int find(int x) {
        int[] p = parent;
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    /** Joins the sets of {@code a} and {@code b}; returns false when they were already one. */
    boolean union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra == rb) {
            return false;
        }
        if (ra < rb) {
            parent[rb] = ra;
        } else {
            parent[ra] = rb;
        }
        return true;
    }

    int size() {
        return parent.length;
    }
}
