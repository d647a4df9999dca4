/**
 * The bridge from llm-data's {@code Corpus} to the tokenizer trainers of llm-tokenize (which depend
 * only on llm-core): {@link dev.kiln.tokenize.corpus.CorpusTexts}.
 *
 * <pre>{@code
 * BpeTokenizer tok = CorpusTexts.train(Corpus.from(Path.of("dataset")), trainer::trainTexts);
 * }</pre>
 */
package dev.kiln.tokenize.corpus;
