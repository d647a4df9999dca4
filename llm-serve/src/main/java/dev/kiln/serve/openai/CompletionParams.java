package dev.kiln.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated {@code POST /v1/completions} body. Every field is checked for its JSON type and
 * range; anything wrong is an {@link ApiError} 400 naming the field, never a 500.
 */
final class CompletionParams {

    /** Prompts laid out as ids (FIM applied), one per prompt in the request. */
    final List<int[]> prompts = new ArrayList<>();
    /** The text of each prompt as the client sent it (for {@code echo}). */
    final List<String> promptTexts = new ArrayList<>();

    int maxTokens = 16;
    double temperature = 1.0;
    double topP = 1.0;
    int topK = 0;
    long seed;
    boolean seeded;
    int n = 1;
    List<String> stop = List.of();
    boolean stream;
    boolean includeUsage;
    int logprobs = -1;
    boolean echo;
    boolean ignoreEos;

    private CompletionParams() {}

    SamplingParams sampling(int choice) {
        return new SamplingParams(temperature, topP, topK, seed + choice);
    }

    int choices() {
        return prompts.size() * n;
    }

    /**
     * Parses and validates a request body for {@code model}.
     *
     * @param modelId the id the server lists; a different {@code model} field is a 404
     * @param fim the FIM template, or null when the model has none
     * @param maxN the largest {@code n} (times prompts) accepted
     */
    static CompletionParams parse(JsonNode body, LanguageModel model, String modelId, FimTemplate fim, int maxN) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest(null, "the request body must be a JSON object");
        }
        CompletionParams p = new CompletionParams();
        JsonNode m = body.get("model");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) {
                throw ApiError.badRequest("model", "'model' must be a string, got " + kind(m));
            }
            if (!m.asText().equals(modelId)) {
                throw ApiError.modelNotFound(
                        "the model '" + clip(m.asText()) + "' does not exist; this server serves '" + modelId + "'");
            }
        }
        p.maxTokens = intField(body, "max_tokens", 16, 0, Integer.MAX_VALUE);
        p.temperature = numberField(body, "temperature", 1.0, 0, 2);
        p.topP = numberField(body, "top_p", 1.0, 0, 1);
        if (p.topP == 0) {
            throw ApiError.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
        }
        p.topK = intField(body, "top_k", 0, -1, 1_000_000);
        if (p.topK < 0) {
            p.topK = 0; // vLLM's -1 = off
        }
        p.n = intField(body, "n", 1, 1, maxN);
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                throw ApiError.badRequest("seed", "'seed' must be a 64-bit integer, got " + kind(seed));
            }
            p.seed = seed.asLong();
            p.seeded = true;
        } else {
            p.seed = ThreadLocalRandom.current().nextLong();
        }
        p.stream = boolField(body, "stream", false);
        p.echo = boolField(body, "echo", false);
        p.ignoreEos = boolField(body, "ignore_eos", false);
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) {
                throw ApiError.badRequest("stream_options", "'stream_options' must be an object, got " + kind(so));
            }
            p.includeUsage = boolField(so, "include_usage", false);
        }
        JsonNode lp = body.get("logprobs");
        if (lp != null && !lp.isNull()) {
            if (lp.isBoolean()) {
                p.logprobs = lp.asBoolean() ? 0 : -1;
            } else {
                p.logprobs = intField(body, "logprobs", -1, 0, 5);
            }
        }
        p.stop = stops(body.get("stop"));
        String suffix = null;
        JsonNode sf = body.get("suffix");
        if (sf != null && !sf.isNull()) {
            if (!sf.isTextual()) {
                throw ApiError.badRequest("suffix", "'suffix' must be a string, got " + kind(sf));
            }
            suffix = sf.asText();
            if (fim == null) {
                throw ApiError.badRequest(
                        "suffix",
                        "model '" + modelId + "' has no fill-in-the-middle tokens, so 'suffix' is not supported");
            }
        }
        Tokenizer tok = model.tokenizer();
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            p.addText("", suffix, tok, fim);
        } else if (prompt.isTextual()) {
            p.addText(prompt.asText(), suffix, tok, fim);
        } else if (prompt.isArray()) {
            if (prompt.isEmpty()) {
                throw ApiError.badRequest("prompt", "'prompt' must not be an empty array");
            }
            if (prompt.get(0).isTextual()) {
                for (JsonNode e : prompt) {
                    if (!e.isTextual()) {
                        throw ApiError.badRequest(
                                "prompt", "'prompt' must be a string, an array of strings or of token ids");
                    }
                    p.addText(e.asText(), suffix, tok, fim);
                }
            } else if (prompt.get(0).isArray()) {
                for (JsonNode e : prompt) {
                    p.addIds(ids(e, tok), suffix, tok, fim);
                }
            } else {
                p.addIds(ids(prompt, tok), suffix, tok, fim);
            }
        } else {
            throw ApiError.badRequest(
                    "prompt", "'prompt' must be a string, an array of strings or of token ids, got " + kind(prompt));
        }
        if ((long) p.prompts.size() * p.n > maxN) {
            throw ApiError.badRequest(
                    "n",
                    "the request asks for " + ((long) p.prompts.size() * p.n) + " completions (prompts x n); at most "
                            + maxN + " are allowed");
        }
        int ctx = model.contextLength();
        for (int[] ids : p.prompts) {
            if ((long) ids.length + p.maxTokens > ctx) {
                throw ApiError.badRequest(
                        "max_tokens",
                        "this model's maximum context length is " + ctx + " tokens, however you requested "
                                + ((long) ids.length + p.maxTokens) + " tokens (" + ids.length + " in your prompt; "
                                + p.maxTokens + " for the completion); reduce the prompt or max_tokens");
            }
        }
        return p;
    }

    private void addText(String text, String suffix, Tokenizer tok, FimTemplate fim) {
        int[] ids = suffix != null ? fim.build(tok, text, suffix) : tok.encode(text);
        promptTexts.add(text);
        prompts.add(startable(ids, tok));
    }

    private void addIds(int[] ids, String suffix, Tokenizer tok, FimTemplate fim) {
        String text = tok.decode(ids);
        if (suffix != null) {
            int[] s = tok.encode(suffix);
            int[] out = new int[ids.length + s.length + 3];
            // Same layout as FimTemplate.build, with the prefix given as ids.
            if (fim.mode() == FimTemplate.Mode.PSM) {
                out[0] = fim.prefixId();
                System.arraycopy(ids, 0, out, 1, ids.length);
                out[1 + ids.length] = fim.suffixId();
                System.arraycopy(s, 0, out, 2 + ids.length, s.length);
                out[out.length - 1] = fim.middleId();
            } else {
                out[0] = fim.prefixId();
                out[1] = fim.suffixId();
                System.arraycopy(s, 0, out, 2, s.length);
                out[2 + s.length] = fim.middleId();
                System.arraycopy(ids, 0, out, 3 + s.length, ids.length);
            }
            ids = out;
        }
        promptTexts.add(text);
        prompts.add(startable(ids, tok));
    }

    /** An empty prompt starts from the end-of-text token, as OpenAI's default prompt does. */
    private static int[] startable(int[] ids, Tokenizer tok) {
        if (ids.length > 0) {
            return ids;
        }
        int eot = tok.endOfTextId()
                .orElseThrow(() -> ApiError.badRequest(
                        "prompt", "the prompt is empty and the model has no end-of-text token to start from"));
        return new int[] {eot};
    }

    private static int[] ids(JsonNode arr, Tokenizer tok) {
        if (!arr.isArray() || arr.isEmpty()) {
            throw ApiError.badRequest("prompt", "a token-id prompt must be a non-empty array of integers");
        }
        int[] out = new int[arr.size()];
        int v = tok.vocabSize();
        for (int i = 0; i < out.length; i++) {
            JsonNode e = arr.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0 || e.asInt() >= v) {
                throw ApiError.badRequest(
                        "prompt",
                        "token ids in 'prompt' must be integers in [0, " + v + "), got " + clip(e.toString()));
            }
            out[i] = e.asInt();
        }
        return out;
    }

    private static List<String> stops(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray()) {
            if (s.size() > 4) {
                throw ApiError.badRequest("stop", "'stop' takes at most 4 sequences, got " + s.size());
            }
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw ApiError.badRequest("stop", "'stop' must be a string or an array of strings");
                }
                out.add(e.asText());
            }
        } else {
            throw ApiError.badRequest("stop", "'stop' must be a string or an array of strings, got " + kind(s));
        }
        for (String x : out) {
            if (x.isEmpty()) {
                throw ApiError.badRequest("stop", "stop sequences must not be empty");
            }
            if (x.length() > 256) {
                throw ApiError.badRequest("stop", "stop sequences must be at most 256 characters");
            }
        }
        return out;
    }

    static int intField(JsonNode body, String name, int dflt, int min, int max) {
        JsonNode v = numeric(body, name, "an integer");
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber()) {
            double d = v.asDouble();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                throw ApiError.badRequest(name, "'" + name + "' must be an integer, got " + clip(v.toString()));
            }
        }
        if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw outOfRange(name, min, max, v);
        }
        return (int) v.asLong();
    }

    static double numberField(JsonNode body, String name, double dflt, double min, double max) {
        JsonNode v = numeric(body, name, "a number");
        if (v == null) {
            return dflt;
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw outOfRange(name, min, max, v);
        }
        return d;
    }

    /** The number {@code body.name}, null when absent; 400 saying it must be {@code what} otherwise. */
    private static JsonNode numeric(JsonNode body, String name, String what) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw ApiError.badRequest(name, "'" + name + "' must be " + what + ", got " + kind(v));
        }
        return v;
    }

    private static ApiError outOfRange(String name, Object min, Object max, JsonNode v) {
        return ApiError.badRequest(
                name, "'" + name + "' must be in [" + min + ", " + max + "], got " + clip(v.toString()));
    }

    static boolean boolField(JsonNode body, String name, boolean dflt) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest(name, "'" + name + "' must be true or false, got " + kind(v));
        }
        return v.asBoolean();
    }

    static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }

    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
