package dev.kiln.train.generate;

import java.util.Map;

/**
 * The provider options of {@link GptLanguageModel.Builder#optOptions}: {@code kv_cache_tokens},
 * {@code kv_cache_bytes}, {@code kv_block_size}, {@code prefix_cache}, {@code packed_weights}, {@code
 * helper_threads}, each checked with a
 * one-line error naming the option and the value.
 */
final class ProviderOptions {

    private ProviderOptions() {}

    static void apply(GptLanguageModel.Builder b, Map<String, String> options) {
        String t = options.get("kv_cache_tokens");
        if (t != null) {
            b.optKvCacheTokens(parse("kv_cache_tokens", t));
        }
        String by = options.get("kv_cache_bytes");
        if (by != null) {
            try {
                b.optKvCacheBytes(Long.parseLong(by.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option kv_cache_bytes must be a whole number, got '" + by + "'");
            }
        }
        String bs = options.get("kv_block_size");
        if (bs != null) {
            b.optBlockSize(parse("kv_block_size", bs));
        }
        String p = options.get("prefix_cache");
        if (p != null) {
            b.optPrefixCache(bool("prefix_cache", p));
        }
        String w = options.get("packed_weights");
        if (w != null) {
            b.optPackedWeights(bool("packed_weights", w));
        }
        String h = options.get("helper_threads");
        if (h != null) {
            int n = parse("helper_threads", h);
            if (n < 0 || n > 64) {
                throw new IllegalArgumentException("option helper_threads must be in [0, 64], got '" + h + "'");
            }
            b.optHelperThreads(n);
        }
    }

    private static boolean bool(String name, String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("option " + name + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static int parse(String name, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " must be a whole number, got '" + v + "'");
        }
    }
}
