package dev.kiln.core.tokenizer;

import static dev.kiln.core.Checks.requireArgument;

/**
 * How a fill-in-the-middle prompt is laid out with a model's FIM tokens.
 *
 * <ul>
 *   <li>{@link Mode#PSM}: {@code <fim_prefix>prefix<fim_suffix>suffix<fim_middle>} → middle
 *   <li>{@link Mode#SPM}: {@code <fim_prefix><fim_suffix>suffix<fim_middle>prefix} → middle
 *       (the SPM variant of Bavarian et al. 2022, as StarCoder trained it)
 * </ul>
 *
 * <pre>{@code
 * int[] prompt = tokenizer.fimTemplate().orElseThrow().build(tokenizer, "int add(int a, int b) {\n", "\n}");
 * }</pre>
 *
 * @param prefixId id of {@code <fim_prefix>}
 * @param suffixId id of {@code <fim_suffix>}
 * @param middleId id of {@code <fim_middle>}
 * @param mode layout
 */
public record FimTemplate(int prefixId, int suffixId, int middleId, Mode mode) {

    /** Prompt layout. */
    public enum Mode {
        /** Prefix, suffix, middle: {@code <fim_prefix>prefix<fim_suffix>suffix<fim_middle>}. */
        PSM,
        /**
         * Suffix first: {@code <fim_prefix><fim_suffix>suffix<fim_middle>prefix}, so the prefix runs on into the middle.
         */
        SPM
    }

    /** @throws IllegalArgumentException when a token id is negative or the mode is null */
    public FimTemplate {
        requireArgument(
                prefixId >= 0 && suffixId >= 0 && middleId >= 0,
                "FIM token ids must be >= 0, got %s, %s, %s",
                prefixId,
                suffixId,
                middleId);
        requireArgument(mode != null, "FIM mode must not be null");
    }

    /** The same tokens in another layout. */
    public FimTemplate withMode(Mode newMode) {
        return new FimTemplate(prefixId, suffixId, middleId, newMode);
    }

    /** Prompt ids whose continuation is the middle between {@code prefix} and {@code suffix}. */
    public int[] build(Tokenizer tokenizer, String prefix, String suffix) {
        int[] p = tokenizer.encode(prefix);
        int[] s = tokenizer.encode(suffix);
        int[] out = new int[p.length + s.length + 3];
        int i = 0;
        out[i++] = prefixId;
        if (mode == Mode.PSM) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
            out[i++] = suffixId;
            System.arraycopy(s, 0, out, i, s.length);
            i += s.length;
            out[i] = middleId;
        } else {
            out[i++] = suffixId;
            System.arraycopy(s, 0, out, i, s.length);
            i += s.length;
            out[i++] = middleId;
            System.arraycopy(p, 0, out, i, p.length);
        }
        return out;
    }
}
