/**
 * Kiln's hashes, one home each: {@link dev.kiln.core.hash.Hash64} (fast 64-bit hashing for dedup
 * and open-addressing slots), {@link dev.kiln.core.hash.Fnv1a}, {@link
 * dev.kiln.core.hash.SplitMix64} and {@link dev.kiln.core.hash.Sha256} (hex identities). Outputs
 * are pinned by tests because dedup decisions, tokenizer caches and recorded hashes depend on them.
 */
package dev.kiln.core.hash;
