package dev.kiln.data.filter;

/** ASCII character classes as bit sets, so hot loops test one array load instead of branches. */
final class Chars {

    static final int ALPHA = 1;
    static final int DIGIT = 2;
    static final int SPACE = 4;
    static final int B64 = 8;
    static final int HEX = 16;
    static final int IDENT = 32;
    static final int ALNUM = ALPHA | DIGIT;

    /** Classes of the 128 ASCII characters. */
    static final int[] ASCII = new int[128];

    static {
        for (int c = 0; c < 128; c++) {
            int k = 0;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                k |= ALPHA | B64 | IDENT;
            }
            if (c >= '0' && c <= '9') {
                k |= DIGIT | B64 | HEX | IDENT;
            }
            if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                k |= HEX;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                k |= SPACE;
            }
            if (c == '+' || c == '/' || c == '=') {
                k |= B64;
            }
            if (c == '_' || c == '$') {
                k |= IDENT;
            }
            ASCII[c] = k;
        }
    }

    private Chars() {}

    /** Classes of any char (non-ASCII letters/digits through {@link Character}). */
    static int of(char c) {
        if (c < 128) {
            return ASCII[c];
        }
        int k = 0;
        if (Character.isLetter(c)) {
            k |= ALPHA | IDENT;
        } else if (Character.isDigit(c)) {
            k |= DIGIT | IDENT;
        } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            k |= SPACE;
        }
        return k;
    }

    /** Number of lines as Python's {@code splitlines()} counts them ({@code \n}, {@code \r\n}, {@code \r}). */
    static int lineCount(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return 0;
        }
        int lines = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                lines++;
            } else if (c == '\r' && (i + 1 == n || s.charAt(i + 1) != '\n')) {
                lines++;
            }
        }
        char last = s.charAt(n - 1);
        return last == '\n' || last == '\r' ? lines : lines + 1;
    }
}
