/**
 * Exact and near deduplication: {@link dev.kiln.data.dedup.ExactDedup} ({@code exact-dedup}) and
 * {@link dev.kiln.data.dedup.NearDedup} ({@code near-dedup}, MinHash + LSH with verified
 * candidates), both {@link dev.kiln.data.DedupStage}s that {@code Corpus.dedupe(...)}, recipes and
 * {@code llm data dedupe} run.
 *
 * <pre>{@code
 * DuplicateSet dups = NearDedup.builder()
 *         .optThreshold(0.7)                    // Jaccard of word 5-gram shingle sets
 *         .optKeep(KeepPolicy.largest("stars")) // or FIRST (default), LONGEST
 *         .build()
 *         .find(documents, workDir);
 * }</pre>
 *
 * <p>Limits, by design: a document contributes at most {@code maxShingles} (100,000) shingles; an
 * LSH bucket member is verified against at most {@code maxBucketComparisons} (64) earlier members;
 * documents without any word are never near duplicates; duplicate ids in the input are an error.
 * Heap use is a few bytes per document; signatures, band keys (sorted runs, external merge) and ids
 * spill to the work directory. Quality and speed on real code: {@code benchmarks/compare/neardup.sh}.
 */
package dev.kiln.data.dedup;
