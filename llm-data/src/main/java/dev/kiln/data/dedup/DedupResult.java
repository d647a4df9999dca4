package dev.kiln.data.dedup;

import dev.kiln.data.DuplicateSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable {@link DuplicateSet}: what exact and near deduplication return, on any engine.
 *
 * <pre>{@code
 * DuplicateSet dups = NearDedup.builder().build().find(docs, workDir);
 * for (DuplicateSet.Duplicate d : dups.duplicates()) {
 *     System.out.println(d.id() + " duplicates " + d.duplicateOf() + " at " + d.similarity());
 * }
 * }</pre>
 */
public final class DedupResult implements DuplicateSet {

    private final List<Duplicate> duplicates;
    private final Map<String, Duplicate> byId;
    private final Map<Integer, Long> clusterSizes;

    /**
     * @param duplicates removed documents in input order
     * @param clusterSizes cluster size → clusters of that size (sizes ≥ 2)
     */
    public DedupResult(List<Duplicate> duplicates, Map<Integer, Long> clusterSizes) {
        this.duplicates = List.copyOf(duplicates);
        this.byId = new HashMap<>(duplicates.size() * 2);
        for (Duplicate d : duplicates) {
            if (byId.put(d.id(), d) != null) {
                throw new IllegalArgumentException("document '" + d.id() + "' is listed twice as a duplicate");
            }
        }
        this.clusterSizes = Collections.unmodifiableMap(new TreeMap<>(clusterSizes));
    }

    @Override
    public boolean isDuplicate(String id) {
        return byId.containsKey(id);
    }

    /** The row of a removed document, or null when it is kept. */
    public Duplicate get(String id) {
        return byId.get(id);
    }

    @Override
    public List<Duplicate> duplicates() {
        return duplicates;
    }

    @Override
    public Map<Integer, Long> clusterSizes() {
        return clusterSizes;
    }

    /** Documents in clusters of size ≥ 2 (kept plus removed). */
    public long clusteredDocuments() {
        long n = 0;
        for (Map.Entry<Integer, Long> e : clusterSizes.entrySet()) {
            n += (long) e.getKey() * e.getValue();
        }
        return n;
    }

    @Override
    public String toString() {
        return "DedupResult{" + duplicates.size() + " duplicates, clusters=" + clusterSizes + "}";
    }
}
