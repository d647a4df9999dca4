/**
 * Packed training shards: {@link dev.kiln.tokenize.shard.TokenShardWriter} writes rows of {@code
 * seqLen + 1} tokens as Arrow IPC files with a manifest (FIM, metadata prefix, mixture, shuffle,
 * validation split); {@link dev.kiln.tokenize.shard.TokenDataset} reads rows by index from the
 * memory-mapped files.
 *
 * <pre>{@code
 * TokenShardWriter.builder().setTokenizer(tok).setOutput(dir).setSeqLen(1024).build().write(docs);
 * try (TokenDataset ds = TokenDataset.open(dir, "train", tok)) {
 *     int[] row = ds.read(0);
 * }
 * }</pre>
 */
package dev.kiln.tokenize.shard;
