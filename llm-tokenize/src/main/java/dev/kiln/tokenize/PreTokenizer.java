package dev.kiln.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into pieces ("words") before byte-level BPE; merges never cross a piece boundary.
 * Both variants are hand-written scanners, equivalent to (and much faster than) the regular
 * expressions Hugging Face runs:
 *
 * <ul>
 *   <li>{@link #gpt2()}: GPT-2's pattern, as in Hugging Face's {@code ByteLevel} pre-tokenizer:
 *       {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, where
 *       {@code \s} is Unicode {@code White_Space}.
 *   <li>{@link #code()}: StarCoder's: every {@code \p{N}} code point is its own piece
 *       (Hugging Face {@code Split(\p{N}, Isolated)}), then GPT-2's pattern inside the rest. Numbers
 *       then cost one token per digit, which helps models do arithmetic and keeps the vocabulary
 *       for identifiers.
 * </ul>
 *
 * <p>A lone UTF-16 surrogate is classified as punctuation (the class of U+FFFD, which the encoder
 * turns it into).
 *
 * <pre>{@code
 * List<String> pieces = PreTokenizer.code().split("x = 42;");   // ["x", " =", " ", "4", "2", ";"]
 * }</pre>
 */
public final class PreTokenizer implements PieceSplitter {

    private static final PreTokenizer GPT2 = new PreTokenizer("gpt2", false);
    private static final PreTokenizer CODE = new PreTokenizer("code", true);

    static final int END = 0;
    static final int WS = 1;
    static final int LETTER = 2;
    static final int NUMBER = 3;
    static final int OTHER = 4;

    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = (byte) jvmClassOf(c); // ASCII is the same in every Unicode version
        }
    }

    private final String name;
    private final boolean isolateDigits;

    private PreTokenizer(String name, boolean isolateDigits) {
        this.name = name;
        this.isolateDigits = isolateDigits;
    }

    /** GPT-2's pre-tokenizer (Hugging Face {@code ByteLevel} with {@code use_regex=true}). */
    public static PreTokenizer gpt2() {
        return GPT2;
    }

    /** StarCoder's code pre-tokenizer: single digits, then GPT-2's pattern. */
    public static PreTokenizer code() {
        return CODE;
    }

    /** {@code gpt2} or {@code code}. */
    public String name() {
        return name;
    }

    /** The pre-tokenizer called {@code name} ({@code gpt2} or {@code code}). */
    public static PreTokenizer byName(String name) {
        if ("gpt2".equals(name)) {
            return GPT2;
        }
        if ("code".equals(name)) {
            return CODE;
        }
        throw new IllegalArgumentException("unknown pre-tokenizer '" + name + "', expected 'gpt2' or 'code'");
    }

    /** Whether digits are isolated (the code variant). */
    public boolean isolatesDigits() {
        return isolateDigits;
    }

    /** The pieces of {@code text}, in order; they concatenate back to {@code text}. */
    public List<String> split(CharSequence text) {
        List<String> out = new ArrayList<>();
        int n = text.length();
        int p = 0;
        while (p < n) {
            int q = next(text, p, n);
            out.add(text.subSequence(p, q).toString());
            p = q;
        }
        return out;
    }

    /**
     * The end (exclusive) of the piece starting at {@code start}; {@code start < end}. Pieces tile
     * the text, so calling this repeatedly from 0 splits it.
     */
    @Override
    public int next(CharSequence s, int start, int end) {
        char c = s.charAt(start);
        int cls = rawClassAt(s, start, end);
        if (cls == NUMBER && isolateDigits) {
            return start
                    + (Character.isHighSurrogate(c) && start + 1 < end && Character.isLowSurrogate(s.charAt(start + 1))
                            ? 2
                            : 1);
        }
        if (c == '\'' && start + 1 < end) {
            char d = s.charAt(start + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') {
                return start + 2;
            }
            if (start + 2 < end) {
                char e = s.charAt(start + 2);
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
                    return start + 3;
                }
            }
        }
        int p = start;
        if (c == ' ' && start + 1 < end) {
            int k = classAt(s, start + 1, end);
            if (k == LETTER || k == NUMBER || k == OTHER) {
                // k == NUMBER only when digits are not isolated (classAt reports END otherwise)
                return run(s, start + 1, end, k);
            }
        }
        if (cls != WS) {
            return run(s, p, end, cls);
        }
        // whitespace: \s+(?!\S) | \s+
        int q = start + 1; // all White_Space code points are in the BMP
        int count = 1;
        while (q < end && classAt(s, q, end) == WS) {
            q++;
            count++;
        }
        if (q >= end || classAt(s, q, end) == END || count < 2) {
            return q;
        }
        return q - 1;
    }

    private int run(CharSequence s, int p, int end, int cls) {
        while (p < end) {
            char c = s.charAt(p);
            if (c < 128) {
                if (ASCII[c] != cls) {
                    return p;
                }
                p++;
                continue;
            }
            int k = classAt(s, p, end);
            if (k != cls) {
                return p;
            }
            p += (Character.isHighSurrogate(c) && p + 1 < end && Character.isLowSurrogate(s.charAt(p + 1))) ? 2 : 1;
        }
        return p;
    }

    /** Class of the code point at {@code p}; digits are END (a hard boundary) when isolated. */
    private int classAt(CharSequence s, int p, int end) {
        int k = rawClassAt(s, p, end);
        return (k == NUMBER && isolateDigits) ? END : k;
    }

    private static int rawClassAt(CharSequence s, int p, int end) {
        char c = s.charAt(p);
        int k;
        if (c < 128) {
            k = ASCII[c];
        } else if (Character.isHighSurrogate(c) && p + 1 < end && Character.isLowSurrogate(s.charAt(p + 1))) {
            k = classOf(Character.toCodePoint(c, s.charAt(p + 1)));
        } else if (Character.isSurrogate(c)) {
            k = OTHER;
        } else {
            k = classOf(c);
        }
        return k;
    }

    /** The class of {@code cp}, from {@link UnicodeClasses} (one Unicode version on every JVM). */
    static int classOf(int cp) {
        return UnicodeClasses.preTokenizerClass(cp);
    }

    /** The class of {@code cp} by the running JVM's {@link Character} data (for generating the table). */
    static int jvmClassOf(int cp) {
        if (isWhiteSpace(cp)) {
            return WS;
        }
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
                return LETTER;
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                return NUMBER;
            default:
                return OTHER;
        }
    }

    /** Unicode's White_Space property (what {@code \s} means in Hugging Face's regex engine). */
    static boolean isWhiteSpace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        if (cp < 0x85) {
            return false;
        }
        return cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    @Override
    public String toString() {
        return "PreTokenizer[" + name + "]";
    }
}
