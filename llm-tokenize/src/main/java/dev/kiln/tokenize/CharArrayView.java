package dev.kiln.tokenize;

/** A reusable {@link CharSequence} over a char array (no copy, no allocation per call). */
final class CharArrayView implements CharSequence {
    private char[] a;
    private int length;

    CharArrayView reset(char[] chars, int len) {
        this.a = chars;
        this.length = len;
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        return a[index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new String(a, start, end - start);
    }

    @Override
    public String toString() {
        return new String(a, 0, length);
    }
}
