/**
 * Tokenizers behind core's {@code Tokenizer}, depending only on llm-core: byte-level BPE ({@link
 * dev.kiln.tokenize.BpeTrainer} trains a {@link dev.kiln.tokenize.BpeTokenizer} over a {@link
 * dev.kiln.tokenize.PreTokenizer} with {@link dev.kiln.tokenize.SpecialTokens}) and
 * SentencePiece-style Unigram ({@link dev.kiln.tokenize.UnigramTrainer}, {@link
 * dev.kiln.tokenize.UnigramTokenizer}); saved and loaded as Hugging Face {@code tokenizer.json}
 * ({@link dev.kiln.tokenize.TokenizerFiles} opens either), and Hugging Face's library gives the
 * same ids. Training inputs of any size: {@link dev.kiln.tokenize.TextFiles}.
 *
 * <pre>{@code
 * BpeTokenizer tok = BpeTrainer.builder().setVocabSize(32_768).build().trainFiles(List.of(Path.of("src")));
 * tok.save(Path.of("tokenizer.json"));
 * int[] ids = BpeTokenizer.load(Path.of("tokenizer.json")).encode("class A {}");
 * }</pre>
 */
package dev.kiln.tokenize;
