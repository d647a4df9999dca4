package dev.kiln.data;

import java.util.List;
import java.util.Map;

/**
 * The result of a {@link DedupStage}: the removed documents, each with the id it duplicates.
 */
public interface DuplicateSet {

    /** One removed document, a row of {@code duplicates.jsonl}. */
    record Duplicate(String id, String duplicateOf, double similarity, String stage) {}

    /** Whether the document with this id is removed. */
    boolean isDuplicate(String id);

    /** Removed documents, in input order. */
    List<Duplicate> duplicates();

    /** Cluster size → number of clusters of that size (clusters of size ≥ 2). */
    Map<Integer, Long> clusterSizes();
}
