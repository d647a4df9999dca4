package dev.kiln.data.pii;

/**
 * Whether a run of characters looks like a random secret or like words: the gate every vendor
 * key body and every generic secret value passes. A secret is drawn uniformly from its alphabet; an
 * identifier ({@code request_value_token}, {@code requestValueToken}, {@code CONFIGURATIONBUILDER})
 * is made of pronounceable words.
 */
final class Randomness {

    private Randomness() {}

    /** Shannon entropy of {@code s[from, to)}, bits per character. */
    static double entropy(CharSequence s, int from, int to) {
        int[] counts = new int[128];
        int other = 0;
        int n = to - from;
        if (n <= 0) {
            return 0;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        for (int k : counts) {
            if (k > 0) {
                double p = (double) k / n;
                h -= p * Math.log(p);
            }
        }
        if (other > 0) {
            double p = (double) other / n;
            h -= p * Math.log(p);
        }
        return h / Math.log(2);
    }

    /**
     * The share of the letters of {@code s[from, to)} that sit in words: tokens (split at non-letters,
     * at lower→upper case changes and before the last capital of an upper-case run, as in {@code
     * HTTPRequest}) of 3+ letters that are pronounceable — a vowel among them, at most 3
     * consonants in a row, and one case pattern ({@code word}, {@code Word}, {@code WORD}).
     * Identifiers score near 1; uniformly random bodies of mixed case well below 0.5.
     */
    static double wordShare(CharSequence s, int from, int to) {
        int letters = 0;
        int inWords = 0;
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (!isLetter(c)) {
                i++;
                continue;
            }
            int start = i;
            int j = i + 1;
            if (isUpper(c)) {
                // an upper-case run: WORD, or the capital of a Word
                while (j < to && isUpper(s.charAt(j))) {
                    j++;
                }
                if (j < to && isLower(s.charAt(j)) && j - start > 1) {
                    j--; // HTTPRequest: HTTP | Request
                } else if (j < to && isLower(s.charAt(j))) {
                    while (j < to && isLower(s.charAt(j))) {
                        j++;
                    }
                }
            } else {
                while (j < to && isLower(s.charAt(j))) {
                    j++;
                }
            }
            int len = j - start;
            letters += len;
            if (len >= 3 && pronounceable(s, start, j)) {
                inWords += len;
            }
            i = j;
        }
        return letters == 0 ? 0 : (double) inWords / letters;
    }

    /**
     * A vowel (y counts) in every 5 letters, vowels not more than 70% of the letters, and in tokens of
     * 8+ letters at least a fifth vowels.
     */
    static boolean pronounceable(CharSequence s, int from, int to) {
        int run = 0;
        int vowels = 0;
        for (int i = from; i < to; i++) {
            if (vowel(s.charAt(i))) {
                vowels++;
                run = 0;
            } else if (++run > 4) {
                return false;
            }
        }
        int len = to - from;
        return vowels > 0 && vowels * 10 <= len * 7 && (len < 8 || vowels * 5 >= len);
    }

    /**
     * CONSTANT_CASE, snake_case or kebab-case: a {@code _} or {@code -} separator and all letters of
     * one case. A random body over a mixed-case alphabet is almost never that.
     */
    static boolean identifierShape(CharSequence s, int from, int to) {
        boolean sep = false;
        int k = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '_' || c == '-') {
                sep = true;
            } else if (isUpper(c)) {
                k |= 1;
            } else if (isLower(c)) {
                k |= 2;
            }
        }
        return sep && k != 3;
    }

    static boolean vowel(char c) {
        switch (c | 0x20) {
            case 'a', 'e', 'i', 'o', 'u', 'y':
                return true;
            default:
                return false;
        }
    }

    static boolean isLetter(char c) {
        return isUpper(c) || isLower(c);
    }

    static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Only hex digits: key material, whatever words its letters happen to spell ({@code cafe}, {@code bead}). */
    static boolean hex(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** Bit 0: an upper-case letter, bit 1: lower-case, bit 2: a digit occurs in {@code s[from, to)}. */
    static int classes(CharSequence s, int from, int to) {
        int k = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (isUpper(c)) {
                k |= 1;
            } else if (isLower(c)) {
                k |= 2;
            } else if (isDigit(c)) {
                k |= 4;
            }
        }
        return k;
    }

    /**
     * A generic secret value (not a vendor format): at least 16 characters, a letter and a digit,
     * entropy of at least {@code minEntropy} bits per character, not mostly words (unless
     * hex) and not an identifier's shape.
     */
    static boolean genericSecret(CharSequence s, int from, int to, double minEntropy) {
        int k = classes(s, from, to);
        if ((k & 4) == 0 || (k & 3) == 0) {
            return false;
        }
        return entropy(s, from, to) >= minEntropy
                && (hex(s, from, to) || wordShare(s, from, to) < 0.5)
                && !identifierShape(s, from, to);
    }
}
