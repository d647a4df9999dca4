package dev.kiln.data.dedup;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.util.Map;

/**
 * Registers {@code exact-dedup}. Options: {@code normalization} ({@code none} | {@code
 * whitespace-insensitive}, default none).
 */
public final class ExactDedupProvider implements StageProvider {

    @Override
    public String name() {
        return ExactDedup.NAME;
    }

    @Override
    public String description() {
        return "drops documents whose content (optionally whitespace-normalised) equals an earlier one's;"
                + " options: normalization=none|whitespace-insensitive";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(name(), options, "normalization");
        ExactDedup.Builder b = ExactDedup.builder();
        o.apply(
                "normalization",
                () -> b.optNormalization(ExactDedup.Normalization.parse(o.getString("normalization", "none"))));
        return b.build();
    }
}
