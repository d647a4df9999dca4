package dev.kiln.data.dedup;

import dev.kiln.data.Stage;
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
        Options o = new Options(name(), options, KEYS);
        NearDedup.Builder b = NearDedup.builder();
        o.apply("threshold", () -> b.optThreshold(o.number("threshold")));
        o.apply("ngram", () -> b.optNgram(o.integer("ngram")));
        o.apply("permutations", () -> b.optPermutations(o.integer("permutations")));
        if (o.has("bands") != o.has("rows")) {
            throw new IllegalArgumentException("stage 'near-dedup': give both 'bands' and 'rows', or neither");
        }
        o.apply("bands", () -> b.optBands(o.integer("bands"), o.integer("rows")));
        o.apply("verify", () -> b.optVerify(NearDedup.Verify.parse(o.string("verify"))));
        o.apply("keep", () -> b.optKeep(KeepPolicy.parse(o.string("keep"))));
        o.apply("seed", () -> b.optSeed(o.longValue("seed")));
        o.apply("max-shingles", () -> b.optMaxShingles(o.integer("max-shingles")));
        o.apply("max-bucket-comparisons", () -> b.optMaxBucketComparisons(o.integer("max-bucket-comparisons")));
        o.apply("threads", () -> b.optThreads(o.integer("threads")));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stage 'near-dedup': " + e.getMessage(), e);
        }
    }
}
