package dev.kiln.bench.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ground truth of near deduplication, computed independently of Kiln's MinHash code: shingle
 * sets are word n-grams of the text split on {@code [^A-Za-z_0-9]} (as strings); an edge joins two
 * documents whose exact Jaccard similarity is ≥ the threshold (found with an exact prefix-filtering
 * similarity join, no approximation); every document but the first (in input order) of each
 * connected component is a duplicate.
 */
public final class NearDupTruth {

    private static final Pattern SPLIT = Pattern.compile("[^A-Za-z_0-9]+");

    private NearDupTruth() {}

    public static Set<String> shingles(String text, int n) {
        List<String> words = new ArrayList<>();
        for (String w : SPLIT.split(text)) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        Set<String> out = new HashSet<>();
        if (words.isEmpty()) {
            return out;
        }
        if (words.size() < n) {
            out.add(String.join(" ", words));
            return out;
        }
        for (int i = 0; i + n <= words.size(); i++) {
            out.add(String.join(" ", words.subList(i, i + n)));
        }
        return out;
    }

    /** Indices of the documents to remove. */
    public static BitSet duplicates(List<String> contents, int n, double threshold) {
        int docs = contents.size();
        // intern shingles as ints, sets as sorted int arrays
        Map<String, Integer> dict = new HashMap<>();
        int[][] sets = new int[docs][];
        for (int d = 0; d < docs; d++) {
            Set<String> s = shingles(contents.get(d), n);
            int[] a = new int[s.size()];
            int i = 0;
            for (String sh : s) {
                a[i++] = dict.computeIfAbsent(sh, k -> dict.size());
            }
            sets[d] = a;
        }
        int[] freq = new int[dict.size()];
        for (int[] s : sets) {
            for (int x : s) {
                freq[x]++;
            }
        }
        // order shingles by (frequency, id): rare first
        Integer[] order = new Integer[freq.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> freq[a] != freq[b] ? Integer.compare(freq[a], freq[b]) : Integer.compare(a, b));
        int[] rank = new int[freq.length];
        for (int i = 0; i < order.length; i++) {
            rank[order[i]] = i;
        }
        for (int[] s : sets) {
            for (int i = 0; i < s.length; i++) {
                s[i] = rank[s[i]];
            }
            Arrays.sort(s);
        }
        // prefix filtering: two sets with J >= t share a token among the first |x| - ceil(t|x|) + 1
        Map<Integer, List<Integer>> index = new HashMap<>();
        int[] parent = new int[docs];
        for (int i = 0; i < docs; i++) {
            parent[i] = i;
        }
        int[] seen = new int[docs];
        Arrays.fill(seen, -1);
        for (int d = 0; d < docs; d++) {
            int[] s = sets[d];
            if (s.length == 0) {
                continue;
            }
            int prefix = s.length - (int) Math.ceil(threshold * s.length - 1e-9) + 1;
            for (int i = 0; i < prefix; i++) {
                List<Integer> posting = index.computeIfAbsent(s[i], k -> new ArrayList<>());
                for (int other : posting) {
                    if (seen[other] == d) {
                        continue;
                    }
                    seen[other] = d;
                    int[] o = sets[other];
                    // length filter
                    if (Math.min(o.length, s.length) < threshold * Math.max(o.length, s.length) - 1e-9) {
                        continue;
                    }
                    if (jaccard(s, o) >= threshold) {
                        union(parent, d, other);
                    }
                }
                posting.add(d);
            }
        }
        BitSet dup = new BitSet(docs);
        BitSet rootSeen = new BitSet(docs);
        for (int d = 0; d < docs; d++) {
            int r = find(parent, d);
            if (rootSeen.get(r)) {
                dup.set(d);
            } else {
                rootSeen.set(r);
            }
        }
        return dup;
    }

    static double jaccard(int[] a, int[] b) {
        int i = 0;
        int j = 0;
        int inter = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return (double) inter / (a.length + b.length - inter);
    }

    private static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    private static void union(int[] p, int a, int b) {
        int ra = find(p, a);
        int rb = find(p, b);
        if (ra != rb) {
            p[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
