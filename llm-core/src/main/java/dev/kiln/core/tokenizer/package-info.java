/**
 * Tokenizers as the rest of Kiln sees them: the {@link dev.kiln.core.tokenizer.Tokenizer} interface
 * (implemented by llm-tokenize's BPE and Unigram tokenizers), the dependency-free
 * {@link dev.kiln.core.tokenizer.ByteTokenizer}, and {@link dev.kiln.core.tokenizer.StreamingDetokenizer},
 * which turns a stream of ids back into whole UTF-8 text. Generation, sampling and the model SPI live
 * apart from them, in {@code dev.kiln.core.model}.
 */
package dev.kiln.core.tokenizer;
