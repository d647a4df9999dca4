package dev.kiln.tokenize;

import java.util.Objects;

/**
 * A token matched in the text before pre-tokenization, as Hugging Face's {@code added_tokens}
 * entries: its {@code content}, id, and flags.
 *
 * <ul>
 *   <li>{@code special}: a control token ({@code <|endoftext|>}); {@link BpeTokenizer#isSpecial}
 *       is true, {@link BpeTokenizer#encodeOrdinary} treats its text as plain text, and streaming
 *       detokenizers drop it. A non-special added token is ordinary text with its own id.
 *   <li>{@code singleWord}: matches only when not preceded or followed by a word character
 *       ({@code \w}: letters, marks, decimal digits, connector punctuation).
 *   <li>{@code lstrip} / {@code rstrip}: the match takes in the whitespace on its left / right.
 *   <li>{@code normalized}: matched in the normalized text (after the normalizer) instead of the
 *       raw text.
 * </ul>
 *
 * <pre>{@code
 * AddedToken mask = AddedToken.of("<mask>", 50264, true).withLstrip(true);
 * }</pre>
 */
public final class AddedToken {

    private final String content;
    private final int id;
    private final boolean special;
    private final boolean singleWord;
    private final boolean lstrip;
    private final boolean rstrip;
    private final boolean normalized;

    private AddedToken(
            String content,
            int id,
            boolean special,
            boolean singleWord,
            boolean lstrip,
            boolean rstrip,
            boolean normalized) {
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("an added token's content must not be empty");
        }
        if (id < 0) {
            throw new IllegalArgumentException("added token '" + content + "' has id " + id + ", expected >= 0");
        }
        this.content = content;
        this.id = id;
        this.special = special;
        this.singleWord = singleWord;
        this.lstrip = lstrip;
        this.rstrip = rstrip;
        this.normalized = normalized;
    }

    /** A token with no flags; {@code normalized} is {@code !special}, as in Hugging Face. */
    public static AddedToken of(String content, int id, boolean special) {
        return new AddedToken(content, id, special, false, false, false, !special);
    }

    /** This token with {@code single_word} set to {@code v}. */
    public AddedToken withSingleWord(boolean v) {
        return new AddedToken(content, id, special, v, lstrip, rstrip, normalized);
    }

    /** This token with {@code lstrip} set to {@code v}. */
    public AddedToken withLstrip(boolean v) {
        return new AddedToken(content, id, special, singleWord, v, rstrip, normalized);
    }

    /** This token with {@code rstrip} set to {@code v}. */
    public AddedToken withRstrip(boolean v) {
        return new AddedToken(content, id, special, singleWord, lstrip, v, normalized);
    }

    /** This token with {@code normalized} set to {@code v}. */
    public AddedToken withNormalized(boolean v) {
        return new AddedToken(content, id, special, singleWord, lstrip, rstrip, v);
    }

    /** The text the token stands for. */
    public String content() {
        return content;
    }

    /** The token's id. */
    public int id() {
        return id;
    }

    /** Whether it is a control token (see the class documentation). */
    public boolean special() {
        return special;
    }

    /** Whether it matches only as a whole word. */
    public boolean singleWord() {
        return singleWord;
    }

    /** Whether a match takes in the whitespace on its left. */
    public boolean lstrip() {
        return lstrip;
    }

    /** Whether a match takes in the whitespace on its right. */
    public boolean rstrip() {
        return rstrip;
    }

    /** Whether it is matched in the normalized text instead of the raw text. */
    public boolean normalized() {
        return normalized;
    }

    /** Whether this is a plain special token (special, no flags, not normalized): what Kiln trains. */
    boolean isPlainSpecial() {
        return special && !singleWord && !lstrip && !rstrip && !normalized;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AddedToken)) {
            return false;
        }
        AddedToken t = (AddedToken) o;
        return t.content.equals(content)
                && t.id == id
                && t.special == special
                && t.singleWord == singleWord
                && t.lstrip == lstrip
                && t.rstrip == rstrip
                && t.normalized == normalized;
    }

    @Override
    public int hashCode() {
        return Objects.hash(content, id, special, singleWord, lstrip, rstrip, normalized);
    }

    @Override
    public String toString() {
        return "AddedToken[" + content + "=" + id + (special ? ", special" : "") + (singleWord ? ", single_word" : "")
                + (lstrip ? ", lstrip" : "") + (rstrip ? ", rstrip" : "") + (normalized ? ", normalized" : "") + "]";
    }
}
