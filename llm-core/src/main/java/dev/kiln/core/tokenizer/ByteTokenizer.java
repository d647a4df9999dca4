package dev.kiln.core.tokenizer;

import static dev.kiln.core.Checks.requireArgument;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simplest complete tokenizer: one id per UTF-8 byte (0–255), then the special tokens. No
 * merges, so nothing is ever unknown. Useful for tests, tiny models and as a baseline.
 *
 * <pre>{@code
 * ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
 * int[] ids = tok.encode("x = 1<|endoftext|>");   // 5 byte ids, then 256
 * }</pre>
 *
 * <p>Lone UTF-16 surrogates are encoded as U+FFFD.
 */
public final class ByteTokenizer implements Tokenizer {

    /** {@code <|endoftext|>} and StarCoder's FIM and metadata tokens, in this order from id 256. */
    public static final List<String> CODE_SPECIALS =
            List.of(END_OF_TEXT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX, FIM_PAD, "<filename>", "<reponame>");

    private final Map<String, Integer> specials;
    private final String[] specialTexts;
    private final byte[][] specialBytes;

    /** Byte ids 0-255, then one id per special token in the order given (none empty, none twice). */
    public ByteTokenizer(List<String> specialTokens) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String s : specialTokens) {
            requireArgument(s != null && !s.isEmpty(), "special tokens must not be empty, got %s", specialTokens);
            requireArgument(
                    m.putIfAbsent(s, 256 + m.size()) == null,
                    "special token '%s' is listed twice in %s",
                    s,
                    specialTokens);
        }
        this.specials = Collections.unmodifiableMap(m);
        this.specialTexts = m.keySet().toArray(new String[0]);
        this.specialBytes = new byte[specialTexts.length][];
        for (int i = 0; i < specialTexts.length; i++) {
            specialBytes[i] = specialTexts[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A byte tokenizer with {@link #CODE_SPECIALS}. */
    public static ByteTokenizer withCodeSpecials() {
        return new ByteTokenizer(CODE_SPECIALS);
    }

    @Override
    public int[] encode(CharSequence text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
        int[] ids = new int[text.length() + 16];
        int n = 0;
        int i = 0;
        int len = text.length();
        while (i < len) {
            int special = specialAt(text, i);
            if (special >= 0) {
                ids = ensure(ids, n + 1);
                ids[n++] = 256 + special;
                i += specialTexts[special].length();
                continue;
            }
            out.reset();
            char c = text.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                i += 2;
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD;
                i++;
            } else {
                cp = c;
                i++;
            }
            ids = ensure(ids, n + 4);
            n = putUtf8(cp, ids, n);
        }
        return java.util.Arrays.copyOf(ids, n);
    }

    private int specialAt(CharSequence text, int i) {
        if (text.charAt(i) != '<') {
            return -1;
        }
        outer:
        for (int s = 0; s < specialTexts.length; s++) {
            String t = specialTexts[s];
            if (i + t.length() > text.length()) {
                continue;
            }
            for (int j = 0; j < t.length(); j++) {
                if (text.charAt(i + j) != t.charAt(j)) {
                    continue outer;
                }
            }
            return s;
        }
        return -1;
    }

    private static int[] ensure(int[] a, int size) {
        return size <= a.length ? a : java.util.Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    private static int putUtf8(int cp, int[] out, int n) {
        if (cp < 0x80) {
            out[n++] = cp;
        } else if (cp < 0x800) {
            out[n++] = 0xC0 | (cp >> 6);
            out[n++] = 0x80 | (cp & 0x3F);
        } else if (cp < 0x10000) {
            out[n++] = 0xE0 | (cp >> 12);
            out[n++] = 0x80 | ((cp >> 6) & 0x3F);
            out[n++] = 0x80 | (cp & 0x3F);
        } else {
            out[n++] = 0xF0 | (cp >> 18);
            out[n++] = 0x80 | ((cp >> 12) & 0x3F);
            out[n++] = 0x80 | ((cp >> 6) & 0x3F);
            out[n++] = 0x80 | (cp & 0x3F);
        }
        return n;
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte[] b = tokenBytes(ids[i]);
            out.write(b, 0, b.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id >= 0 && id < 256) {
            return new byte[] {(byte) id};
        }
        int s = id - 256;
        if (s >= 0 && s < specialBytes.length) {
            return specialBytes[s].clone();
        }
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize() + ")");
    }

    @Override
    public int vocabSize() {
        return 256 + specialTexts.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public boolean isSpecial(int id) {
        return id >= 256 && id < vocabSize();
    }
}
