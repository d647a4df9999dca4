/**
 * The generation API and model SPI: {@link dev.kiln.core.model.LanguageModel} and its step-level
 * {@link dev.kiln.core.model.DecodeSession}, {@link dev.kiln.core.model.LanguageModels} (providers found
 * by {@code ServiceLoader}), sampling, FIM and chat templates, and the {@link dev.kiln.core.model.Generator}.
 * Tokenizers live in {@code dev.kiln.core.tokenizer}.
 */
package dev.kiln.core.model;
