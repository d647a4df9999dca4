/**
 * Interoperability with Hugging Face's Rust tokenizers through DJL's binding: {@link
 * dev.kiln.tokenize.hf.HfTokenizer} (needs the optional {@code ai.djl.huggingface:tokenizers}
 * dependency). Reading and writing {@code tokenizer.json} itself needs no native code: see {@link
 * dev.kiln.tokenize.BpeTokenizer#load} and {@link dev.kiln.tokenize.BpeTokenizer#save}.
 */
package dev.kiln.tokenize.hf;
