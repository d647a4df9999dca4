/**
 * Remote models: {@link dev.kiln.core.remote.OpenAiCompletionsModel}, a {@link
 * dev.kiln.core.model.LanguageModel} over any OpenAI-compatible {@code /v1/completions} endpoint,
 * opened by {@link dev.kiln.core.model.LanguageModels#open} for {@code http(s)://} locations.
 */
package dev.kiln.core.remote;
