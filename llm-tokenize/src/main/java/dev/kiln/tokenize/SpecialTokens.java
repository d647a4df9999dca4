package dev.kiln.tokenize;

import dev.kiln.core.tokenizer.ByteTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The special (control) tokens of a vocabulary, in id order. Trained tokenizers give them the ids
 * right after the 256 byte tokens ({@code <|endoftext|>} is 256 with {@link #codeDefaults()}), so
 * special ids do not move when the vocabulary size changes.
 *
 * <pre>{@code
 * SpecialTokens s = SpecialTokens.codeDefaults().plus("<jupyter_code>");
 * }</pre>
 */
public final class SpecialTokens {

    private static final SpecialTokens NONE = new SpecialTokens(List.of());
    private static final SpecialTokens CODE = new SpecialTokens(ByteTokenizer.CODE_SPECIALS);

    private final List<String> tokens;
    private final AddedTokenMatcher matcher;

    private SpecialTokens(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < this.tokens.size(); i++) {
            added.add(AddedToken.of(this.tokens.get(i), i, true));
        }
        this.matcher = added.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(added, this.tokens);
    }

    /**
     * {@code <|endoftext|>, <fim_prefix>, <fim_middle>, <fim_suffix>, <fim_pad>, <filename>,
     * <reponame>} (StarCoder's document, fill-in-the-middle and metadata tokens).
     */
    public static SpecialTokens codeDefaults() {
        return CODE;
    }

    /** No special tokens. */
    public static SpecialTokens none() {
        return NONE;
    }

    /** The given tokens, in id order; each non-empty and listed once. */
    public static SpecialTokens of(String... tokens) {
        return of(Arrays.asList(tokens));
    }

    /** The given tokens, in id order; each non-empty and listed once. */
    public static SpecialTokens of(List<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (String t : tokens) {
            if (t == null || t.isEmpty()) {
                throw new IllegalArgumentException("special tokens must not be empty, got " + tokens);
            }
            if (!seen.add(t)) {
                throw new IllegalArgumentException("special token '" + t + "' is listed twice in " + tokens);
            }
        }
        return new SpecialTokens(new ArrayList<>(seen));
    }

    /** These tokens followed by {@code more}. */
    public SpecialTokens plus(String... more) {
        List<String> all = new ArrayList<>(tokens);
        all.addAll(Arrays.asList(more));
        return of(all);
    }

    /** The tokens in id order. */
    public List<String> list() {
        return tokens;
    }

    /** The number of special tokens. */
    public int size() {
        return tokens.size();
    }

    /**
     * Finds these tokens in text, leftmost first and longest among those: the matcher the tokenizers
     * use for their added tokens, so trainers cut special-token strings out of training text exactly
     * where the trained tokenizer will find them (token {@code i} of the matcher is {@code list().get(i)}).
     */
    AddedTokenMatcher matcher() {
        return matcher;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecialTokens && ((SpecialTokens) o).tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return tokens.toString();
    }
}
