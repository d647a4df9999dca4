/**
 * Byte-level BPE: {@link dev.kiln.tokenize.BpeTrainer} trains a {@link
 * dev.kiln.tokenize.BpeTokenizer} (core's {@code Tokenizer}) over a {@link
 * dev.kiln.tokenize.PreTokenizer} with {@link dev.kiln.tokenize.SpecialTokens}; tokenizers are
 * saved and loaded as Hugging Face {@code tokenizer.json}, and Hugging Face's encoder gives the
 * same ids.
 *
 * <pre>{@code
 * BpeTokenizer tok = BpeTrainer.builder().setVocabSize(32_768).build().train(List.of(Path.of("src")));
 * tok.save(Path.of("tokenizer.json"));
 * int[] ids = BpeTokenizer.load(Path.of("tokenizer.json")).encode("class A {}");
 * }</pre>
 */
package dev.kiln.tokenize;
