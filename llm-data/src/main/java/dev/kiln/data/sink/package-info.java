/**
 * Where kept documents go: {@link dev.kiln.data.sink.Sinks#jsonl(java.nio.file.Path) JSONL
 * shards} ({@code .jsonl}, {@code .jsonl.gz}, {@code .jsonl.zst}) of rows {@code id, content, path,
 * language, licenses, metadata}, each shard written under a temporary name and renamed when
 * complete.
 */
package dev.kiln.data.sink;
