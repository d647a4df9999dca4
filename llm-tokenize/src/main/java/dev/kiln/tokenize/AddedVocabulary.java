package dev.kiln.tokenize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The added tokens of a tokenizer, outside its model (Hugging Face's {@code added_vocabulary.rs}):
 * special and non-special added tokens with their flags, found in the text before the
 * pre-tokenizer runs, and the normalizer that runs between them. Immutable.
 */
final class AddedVocabulary {

    /** Encodes a stretch of text with no added token in it (pre-tokenizer and model). */
    interface Ordinary {
        void encode(EncodeState st, char[] cs, int from, int to);
    }

    private final List<AddedToken> tokens;
    private final Map<String, Integer> specials;
    private final boolean[] special;
    private final boolean[] added;
    /** Added tokens matched in the raw text, and those matched in the normalized text. */
    private final AddedTokenMatcher raw;

    private final AddedTokenMatcher normalized;
    private final HfNormalizer normalizer;

    /**
     * @param tokens added tokens (special or not) with their flags, in id order
     * @param normalizer null for none
     * @param vocabSize ids are below it
     */
    AddedVocabulary(List<AddedToken> tokens, HfNormalizer normalizer, int vocabSize) {
        this.tokens = List.copyOf(tokens);
        this.normalizer = normalizer;
        this.special = new boolean[vocabSize];
        this.added = new boolean[vocabSize];
        Map<String, Integer> sp = new LinkedHashMap<>();
        List<AddedToken> rawTokens = new ArrayList<>();
        List<String> rawPatterns = new ArrayList<>();
        List<AddedToken> normTokens = new ArrayList<>();
        List<String> normPatterns = new ArrayList<>();
        for (AddedToken t : this.tokens) {
            added[t.id()] = true;
            if (t.special()) {
                sp.put(t.content(), t.id());
                special[t.id()] = true;
            }
            if (t.normalized()) {
                normTokens.add(t);
                normPatterns.add(normalizer == null ? t.content() : normalizer.apply(t.content()));
            } else {
                rawTokens.add(t);
                rawPatterns.add(t.content());
            }
        }
        this.specials = Collections.unmodifiableMap(sp);
        this.raw = rawTokens.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(rawTokens, rawPatterns);
        this.normalized =
                normTokens.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(normTokens, normPatterns);
    }

    List<AddedToken> tokens() {
        return tokens;
    }

    /** Special token text to id, in id order. */
    Map<String, Integer> specials() {
        return specials;
    }

    boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    boolean isAdded(int id) {
        return id >= 0 && id < added.length && added[id];
    }

    HfNormalizer normalizer() {
        return normalizer;
    }

    /**
     * Encodes {@code cs[0, n)}: added tokens become their ids (as {@code mode} allows), the text
     * between them is normalized and goes to {@code ordinary}.
     */
    void encode(EncodeState st, char[] cs, int n, SpecialMode mode, Ordinary ordinary) {
        if (raw.isEmpty() || (mode.none() && raw.onlyPlainSpecials())) {
            normalizedPart(st, cs, 0, n, mode, ordinary);
        } else {
            splitAdded(st, cs, 0, n, raw, mode, true, ordinary);
        }
    }

    /**
     * Hugging Face's added-token split of {@code cs[from, to)} (one "sentence"): leftmost-longest
     * matches, a skipped match still consumed; {@code single_word}, {@code lstrip} (not past the
     * previous match) and {@code rstrip} applied; the gaps go on to the normalizer ({@code raw}) or
     * to the pre-tokenizer.
     */
    private void splitAdded(
            EncodeState st,
            char[] cs,
            int from,
            int to,
            AddedTokenMatcher m,
            SpecialMode mode,
            boolean raw,
            Ordinary ordinary) {
        int startOffset = from;
        int i = from;
        int[] found = st.found;
        while (i < to) {
            int s = m.find(cs, i, to, found);
            if (s < 0) {
                break;
            }
            AddedToken t = m.token(found[0]);
            int e = s + m.patternLength(found[0]);
            i = e;
            if (t.special() && !mode.allows(t.content())) {
                if (mode.disallowed.contains(t.content())) {
                    throw new IllegalArgumentException("text contains the disallowed special token '" + t.content()
                            + "' at char " + s + "; allow it, or encode it as plain text with encodeOrdinary");
                }
                continue;
            }
            if (t.singleWord()
                    && ((s > from && AddedTokenMatcher.isWordChar(Character.codePointBefore(cs, s, from)))
                            || (e < to && AddedTokenMatcher.isWordChar(Character.codePointAt(cs, e, to))))) {
                continue;
            }
            if (t.lstrip()) {
                int ns = s;
                while (ns > from && PreTokenizer.isWhiteSpace(cs[ns - 1])) {
                    ns--;
                }
                s = Math.max(ns, startOffset);
            }
            if (t.rstrip()) {
                while (e < to && PreTokenizer.isWhiteSpace(cs[e])) {
                    e++;
                }
                i = e;
            }
            if (startOffset < s) {
                gap(st, cs, startOffset, s, mode, raw, ordinary);
            }
            st.emit(t.id(), s, e);
            startOffset = e;
        }
        if (startOffset < to) {
            gap(st, cs, startOffset, to, mode, raw, ordinary);
        }
    }

    private void gap(EncodeState st, char[] cs, int from, int to, SpecialMode mode, boolean raw, Ordinary ordinary) {
        if (raw) {
            normalizedPart(st, cs, from, to, mode, ordinary);
        } else {
            ordinary.encode(st, cs, from, to);
        }
    }

    /** A piece between raw added tokens: normalized, then split on the normalized added tokens. */
    private void normalizedPart(EncodeState st, char[] cs, int from, int to, SpecialMode mode, Ordinary ordinary) {
        if (from >= to) {
            return;
        }
        char[] text = cs;
        if (normalizer != null) {
            text = normalizer.apply(new String(cs, from, to - from)).toCharArray();
            from = 0;
            to = text.length;
        }
        if (normalized.isEmpty()) {
            ordinary.encode(st, text, from, to);
        } else {
            splitAdded(st, text, from, to, normalized, mode, false, ordinary);
        }
    }

    /** Which special tokens an encode call turns into their ids (tiktoken's allowed / disallowed sets). */
    static final class SpecialMode {
        static final SpecialMode ALL = new SpecialMode(null, Set.of());
        static final SpecialMode NONE = new SpecialMode(Set.of(), Set.of());
        final Set<String> allowed; // null = all
        final Set<String> disallowed;

        SpecialMode(Set<String> allowed, Set<String> disallowed) {
            this.allowed = allowed;
            this.disallowed = disallowed;
        }

        boolean allows(String t) {
            return allowed == null || allowed.contains(t);
        }

        boolean none() {
            return allowed != null && allowed.isEmpty() && disallowed.isEmpty();
        }
    }
}
