package dev.kiln.tokenize.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * core's {@link Tokenizer} over DJL's binding of Hugging Face's Rust tokenizers, for comparison and
 * for environments that standardise on it. Kiln's own {@link BpeTokenizer} gives the same ids and
 * is several times faster; prefer it.
 *
 * <p>Needs {@code ai.djl.huggingface:tokenizers} on the class path (an optional dependency of
 * llm-tokenize; its native library comes from that jar, no download). Encodes with
 * {@code truncation=false}, {@code padding=false}, {@code addSpecialTokens=false} (DJL's defaults
 * truncate at 512 tokens). Lone surrogates are replaced by U+FFFD before crossing into Rust, as
 * {@link BpeTokenizer} does. Token bytes, special tokens and the vocabulary size come from Kiln's
 * reading of the same file, so the file must be a byte-level BPE {@code tokenizer.json}.
 *
 * <pre>{@code
 * try (HfTokenizer hf = HfTokenizer.load(Path.of("tokenizer.json"))) {
 *     int[] ids = hf.encode("def f(): pass");
 * }
 * }</pre>
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private final HuggingFaceTokenizer hf;
    private final BpeTokenizer meta;

    private HfTokenizer(HuggingFaceTokenizer hf, BpeTokenizer meta) {
        this.hf = hf;
        this.meta = meta;
    }

    /** Loads {@code tokenizerJson} with DJL's binding. */
    public static HfTokenizer load(Path tokenizerJson) throws IOException {
        BpeTokenizer meta = BpeTokenizer.load(tokenizerJson);
        try {
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                    tokenizerJson, Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
            return new HfTokenizer(hf, meta);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new KilnEnvironmentException(
                    "DJL's Hugging Face tokenizers binding could not load: " + e.getMessage(),
                    "add ai.djl.huggingface:tokenizers to the class path (its jar carries the native library)",
                    e);
        }
    }

    /** Replaces lone UTF-16 surrogates by U+FFFD. */
    static String clean(CharSequence text) {
        String s = text.toString();
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1));
                if (!pair) {
                    char[] cs = s.toCharArray();
                    for (int j = i; j < n; j++) {
                        char d = cs[j];
                        if (Character.isHighSurrogate(d) && j + 1 < n && Character.isLowSurrogate(cs[j + 1])) {
                            j++;
                        } else if (Character.isSurrogate(d)) {
                            cs[j] = '\uFFFD';
                        }
                    }
                    return new String(cs);
                }
                i++;
            }
        }
        return s;
    }

    private static int[] ids(Encoding e) {
        long[] l = e.getIds();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    @Override
    public int[] encode(CharSequence text) {
        return ids(hf.encode(clean(text), false, false));
    }

    /** Encodes every text with the binding's batch call (parallel in Rust). */
    public List<int[]> encodeBatch(List<? extends CharSequence> texts) {
        List<String> in = new ArrayList<>(texts.size());
        for (CharSequence t : texts) {
            in.add(clean(t));
        }
        Encoding[] enc = hf.batchEncode(in, false, false);
        List<int[]> out = new ArrayList<>(enc.length);
        for (Encoding e : enc) {
            out.add(ids(e));
        }
        return out;
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        return meta.decode(ids, from, to);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return meta.tokenBytes(id);
    }

    @Override
    public int vocabSize() {
        return meta.vocabSize();
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return meta.specialTokens();
    }

    @Override
    public void close() {
        hf.close();
    }
}
