package dev.kiln.data.dedup;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.util.Map;
import java.util.Set;

/**
 * Registers {@code near-dedup}. Options: {@code threshold} (0.7), {@code ngram} (5), {@code
 * permutations} (256), {@code bands} + {@code rows} (optimal), {@code verify} (auto | exact | estimate),
 * {@code keep} (first | longest | largest:&lt;key&gt;), {@code seed} (42), {@code max-shingles}
 * (100000), {@code max-bucket-comparisons} (64), {@code threads} (0 = all cores).
 */
public final class NearDedupProvider implements StageProvider {

    private static final Set<String> KEYS = Set.of(
            "threshold",
            "ngram",
            "permutations",
            "bands",
            "rows",
            "verify",
            "keep",
            "seed",
            "max-shingles",
            "max-bucket-comparisons",
            "threads");

    @Override
    public String name() {
        return NearDedup.NAME;
    }

    @Override
    public String description() {
        return "MinHash-LSH near-duplicate removal with verified candidates; options: threshold=0.7, ngram=5,"
                + " permutations=256, bands/rows, verify=auto|exact|estimate, keep=first|longest|largest:<key>, seed=42";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(name(), options, KEYS);
        NearDedup.Builder b = NearDedup.builder();
        o.apply("threshold", () -> b.optThreshold(o.getDouble("threshold", 0.7)));
        o.apply("ngram", () -> b.optNgram(o.getInt("ngram", 5)));
        o.apply("permutations", () -> b.optPermutations(o.getInt("permutations", 256)));
        if (o.has("bands") != o.has("rows")) {
            throw o.fail("give both 'bands' and 'rows', or neither");
        }
        o.apply("bands", () -> b.optBands(o.getInt("bands", 0), o.getInt("rows", 0)));
        o.apply("verify", () -> b.optVerify(NearDedup.Verify.parse(o.getString("verify", "auto"))));
        o.apply("keep", () -> b.optKeep(KeepPolicy.parse(o.getString("keep", "first"))));
        o.apply("seed", () -> b.optSeed(o.getLong("seed", 42)));
        o.apply("max-shingles", () -> b.optMaxShingles(o.getInt("max-shingles", 100_000)));
        o.apply("max-bucket-comparisons", () -> b.optMaxBucketComparisons(o.getInt("max-bucket-comparisons", 64)));
        o.apply("threads", () -> b.optThreads(o.getInt("threads", 0)));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw o.fail(e.getMessage());
        }
    }
}
