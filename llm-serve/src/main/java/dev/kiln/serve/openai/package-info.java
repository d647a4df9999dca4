/**
 * The OpenAI-compatible HTTP layer of {@link dev.kiln.serve.Server}: route wiring ({@link
 * dev.kiln.serve.openai.OpenAiHttp}), one package-private handler per API area (completions, chat,
 * models, health and readiness, metrics, feedback, playground), request validation and the OpenAI
 * response and error shapes. Internal to llm-serve: its two public types exist for {@code Server}
 * and may change; build a server with {@code Server.builder()}.
 */
package dev.kiln.serve.openai;
