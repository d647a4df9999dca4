package dev.kiln.data;

import dev.kiln.core.Document;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A whole-corpus stage that finds duplicates: it sees every document (in input order) before any
 * is written, then the pipeline drops those in the returned {@link DuplicateSet}. Exact and near
 * deduplication implement it; {@code Corpus.dedupe(...)} runs it.
 *
 * <p>Implementations may spill to {@code workDir} so memory does not grow with the corpus.
 */
public interface DedupStage extends Stage {

    /**
     * Reads all documents once, in input order, and returns which of them are duplicates.
     *
     * @param documents the documents after the preceding stages, in input order
     * @param workDir a scratch directory for spill files, deleted by the caller afterwards
     */
    DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException;
}
