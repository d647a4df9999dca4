package dev.kiln.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Text ↔ token ids. Implemented by llm-tokenize's {@code BpeTokenizer} (and its adapter over
 * DJL's Hugging Face binding) and by {@link ByteTokenizer}.
 *
 * <pre>{@code
 * int[] ids = tokenizer.encode("def add(a, b):");
 * String back = tokenizer.decode(ids);
 * int eos = tokenizer.endOfTextId().orElseThrow();
 * }</pre>
 *
 * <p>Special-token strings inside {@code text} are encoded as the special token (Hugging Face's
 * behaviour). Lone UTF-16 surrogates are encoded as U+FFFD.
 */
public interface Tokenizer {

    /** The conventional end-of-text token. */
    String END_OF_TEXT = "<|endoftext|>";
    /** StarCoder's fill-in-the-middle tokens. */
    String FIM_PREFIX = "<fim_prefix>";

    /** The FIM token that starts the middle, the part the model writes. */
    String FIM_MIDDLE = "<fim_middle>";
    /** The FIM token that starts the suffix, the text after the hole. */
    String FIM_SUFFIX = "<fim_suffix>";
    /** The FIM padding token. */
    String FIM_PAD = "<fim_pad>";

    /** Token ids of {@code text}. */
    int[] encode(CharSequence text);

    /** Text of {@code ids}; invalid UTF-8 across tokens decodes to U+FFFD. */
    default String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** Text of {@code ids[from, to)}. */
    String decode(int[] ids, int from, int to);

    /**
     * The raw bytes a token stands for (a special token's UTF-8 text). Streaming decoders join
     * these bytes, so a character split across tokens is never emitted half.
     */
    byte[] tokenBytes(int id);

    /** Number of ids, including byte tokens, merges and special tokens. */
    int vocabSize();

    /** Special tokens by their text, e.g. {@code <|endoftext|> → 0}. */
    Map<String, Integer> specialTokens();

    /** Whether {@code id} is a special (control) token. */
    default boolean isSpecial(int id) {
        return specialTokens().containsValue(id);
    }

    /** The id of a special token. */
    default OptionalInt specialTokenId(String token) {
        Integer id = specialTokens().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The id of {@value #END_OF_TEXT}, when the vocabulary has it. */
    default OptionalInt endOfTextId() {
        return specialTokenId(END_OF_TEXT);
    }

    /** The prefix-suffix-middle template, when the vocabulary has StarCoder's FIM tokens. */
    default Optional<FimTemplate> fimTemplate() {
        Map<String, Integer> s = specialTokens();
        if (s.containsKey(FIM_PREFIX) && s.containsKey(FIM_SUFFIX) && s.containsKey(FIM_MIDDLE)) {
            return Optional.of(
                    new FimTemplate(s.get(FIM_PREFIX), s.get(FIM_SUFFIX), s.get(FIM_MIDDLE), FimTemplate.Mode.PSM));
        }
        return Optional.empty();
    }

    /** The text of one token (special tokens as their name). */
    default String tokenText(int id) {
        return new String(tokenBytes(id), StandardCharsets.UTF_8);
    }
}
