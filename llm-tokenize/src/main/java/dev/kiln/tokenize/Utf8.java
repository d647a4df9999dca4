package dev.kiln.tokenize;

/**
 * UTF-8 of UTF-16 text with one surrogate policy for training and encoding alike: a lone
 * surrogate becomes U+FFFD ({@code EF BF BD}), as Hugging Face's library sees it once Java text
 * crosses into Rust.
 */
final class Utf8 {

    private Utf8() {}

    /** Most bytes {@code n} chars can take. */
    static int maxBytes(int n) {
        return n * 3;
    }

    /** Writes the UTF-8 of {@code cs[p, q)} to {@code out} (room for {@link #maxBytes}); returns the length. */
    static int encode(char[] cs, int p, int q, byte[] out) {
        int n = 0;
        for (int i = p; i < q; i++) {
            char c = cs[i];
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < q && Character.isLowSurrogate(cs[i + 1])) {
                int cp = Character.toCodePoint(c, cs[++i]);
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                int cp = Character.isSurrogate(c) ? 0xFFFD : c;
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return n;
    }

    /** The UTF-8 of {@code cs[p, q)} as a new array. */
    static byte[] bytes(char[] cs, int p, int q) {
        byte[] b = new byte[maxBytes(q - p)];
        return java.util.Arrays.copyOf(b, encode(cs, p, q, b));
    }

    /** {@code s} with every lone surrogate replaced by U+FFFD. */
    static String clean(CharSequence s) {
        String str = s.toString();
        int n = str.length();
        for (int i = 0; i < n; i++) {
            char c = str.charAt(i);
            if (Character.isSurrogate(c)) {
                StringBuilder sb = new StringBuilder(n).append(str, 0, i);
                for (int j = i; j < n; j++) {
                    char d = str.charAt(j);
                    if (Character.isHighSurrogate(d) && j + 1 < n && Character.isLowSurrogate(str.charAt(j + 1))) {
                        sb.append(d).append(str.charAt(++j));
                    } else {
                        sb.append(Character.isSurrogate(d) ? '\uFFFD' : d);
                    }
                }
                return sb.toString();
            }
        }
        return str;
    }
}
