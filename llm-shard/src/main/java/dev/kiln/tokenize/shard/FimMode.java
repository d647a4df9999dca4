package dev.kiln.tokenize.shard;

/**
 * Fill-in-the-middle layouts applied to training documents (Bavarian et al. 2022, as StarCoder).
 *
 * <ul>
 *   <li>{@link #PSM}: {@code <fim_prefix>prefix<fim_suffix>suffix<fim_middle>middle}
 *   <li>{@link #SPM}: {@code <fim_prefix><fim_suffix>suffix<fim_middle>prefix middle}
 *   <li>{@link #BOTH}: PSM or SPM with equal probability, per document
 * </ul>
 */
public enum FimMode {
    PSM,
    SPM,
    BOTH;

    /** Parses {@code psm}, {@code spm} or {@code both} (any case). */
    public static FimMode parse(String s) {
        for (FimMode m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown FIM mode '" + s + "', expected psm, spm or both");
    }
}
