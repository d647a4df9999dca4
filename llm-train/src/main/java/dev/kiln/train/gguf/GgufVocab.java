package dev.kiln.train.gguf;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kiln tokenizer as llama.cpp's {@code tokenizer.ggml.*} keys: model {@code gpt2} (byte-level
 * BPE), the tokens as byte-level strings (GPT-2's byte-to-character table), token types, merges as
 * {@code "left right"} strings in rank order, special ids, and the pre-tokenizer name llama.cpp maps
 * to the same split: {@code starcoder} (each {@code \p{N}} alone, then GPT-2's pattern) for Kiln's
 * {@code code} pre-tokenizer, {@code gpt-2} for {@code gpt2}. A {@link ByteTokenizer} is a BPE
 * without merges.
 */
final class GgufVocab {

    // llama_token_type
    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int UNUSED = 5;

    private static final char[] BYTE_CHARS = byteChars();

    private GgufVocab() {}

    /** GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the rest for 256 + n. */
    private static char[] byteChars() {
        char[] m = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            m[b] = printable ? (char) b : (char) (256 + n++);
        }
        return m;
    }

    /** The byte-level string of {@code bytes} (one character per byte). */
    static String byteLevel(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_CHARS[b & 0xFF]);
        }
        return sb.toString();
    }

    /** llama.cpp's pre-tokenizer name for {@code tokenizer}'s split. */
    static String preName(Tokenizer tokenizer) {
        if (tokenizer instanceof BpeTokenizer bpe) {
            return switch (bpe.preTokenizer().name()) {
                case "code" -> "starcoder";
                case "gpt2" -> "gpt-2";
                default ->
                    throw new IllegalArgumentException("pre-tokenizer '"
                            + bpe.preTokenizer().name() + "' has no llama.cpp equivalent (known: code, gpt2)");
            };
        }
        return "gpt-2"; // no merges: any split gives the same bytes
    }

    /**
     * Adds the tokenizer keys to {@code w}; the vocabulary is padded with unused {@code [PAD<i>]}
     * tokens up to the model's {@code vocabSize}.
     */
    static void write(GgufWriter w, Tokenizer tokenizer, int vocabSize) {
        if (!(tokenizer instanceof BpeTokenizer) && !(tokenizer instanceof ByteTokenizer)) {
            throw new IllegalArgumentException(
                    "tokenizer " + tokenizer.getClass().getSimpleName()
                            + " cannot be exported to GGUF (Kiln exports its BpeTokenizer and ByteTokenizer)");
        }
        int n = tokenizer.vocabSize();
        if (n > vocabSize) {
            throw new IllegalArgumentException(
                    "the tokenizer has " + n + " ids but the model's vocabulary holds " + vocabSize);
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int id = 0; id < n; id++) {
            if (tokenizer.isSpecial(id)) {
                tokens.add(tokenizer.tokenText(id));
                types[id] = CONTROL;
                continue;
            }
            byte[] b;
            try {
                b = tokenizer.tokenBytes(id);
            } catch (IllegalArgumentException unused) {
                b = null; // an id the vocabulary does not use
            }
            if (b == null || b.length == 0) {
                tokens.add("[UNUSED" + id + "]");
                types[id] = UNUSED;
            } else {
                tokens.add(byteLevel(b));
                types[id] = NORMAL;
            }
        }
        for (int id = n; id < vocabSize; id++) {
            tokens.add("[PAD" + id + "]");
            types[id] = UNUSED;
        }
        List<String> merges = new ArrayList<>();
        if (tokenizer instanceof BpeTokenizer bpe) {
            for (int r = 0; r < bpe.mergeCount(); r++) {
                int[] m = bpe.merge(r);
                merges.add(tokens.get(m[0]) + " " + tokens.get(m[1]));
            }
        }
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", preName(tokenizer));
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putStringArray("tokenizer.ggml.merges", merges);
        Map<String, Integer> sp = tokenizer.specialTokens();
        Integer eos = sp.get(Tokenizer.END_OF_TEXT);
        if (eos != null) {
            w.putUint32("tokenizer.ggml.bos_token_id", eos);
            w.putUint32("tokenizer.ggml.eos_token_id", eos);
        }
        putId(w, "tokenizer.ggml.fim_pre_token_id", sp.get(Tokenizer.FIM_PREFIX));
        putId(w, "tokenizer.ggml.fim_suf_token_id", sp.get(Tokenizer.FIM_SUFFIX));
        putId(w, "tokenizer.ggml.fim_mid_token_id", sp.get(Tokenizer.FIM_MIDDLE));
        putId(w, "tokenizer.ggml.fim_pad_token_id", sp.get(Tokenizer.FIM_PAD));
        w.putBool("tokenizer.ggml.add_bos_token", false);
        w.putBool("tokenizer.ggml.add_eos_token", false);
    }

    private static void putId(GgufWriter w, String key, Integer id) {
        if (id != null) {
            w.putUint32(key, id);
        }
    }
}
