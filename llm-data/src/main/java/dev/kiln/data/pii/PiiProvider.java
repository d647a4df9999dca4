package dev.kiln.data.pii;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code pii} stage for recipes:
 *
 * <pre>{@code
 * - pii: {replacement: placeholder, types: [email, ip_address, key, password], min-entropy: 3.0,
 *         allowlist: [sk_test_fixture_value], seed: 0}
 * }</pre>
 */
public final class PiiProvider implements StageProvider {

    @Override
    public String name() {
        return "pii";
    }

    @Override
    public String description() {
        return "redact emails, public IPs, secret keys and passwords; spans in metadata 'pii'";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        StageOptions o = StageOptions.of(name(), options, "replacement", "types", "min-entropy", "allowlist", "seed");
        PiiScanner.Builder sb = PiiScanner.builder();
        if (o.has("types")) {
            List<PiiType> types = new ArrayList<>();
            for (String t : o.getStringList("types", List.of())) {
                types.add(PiiType.fromId(t));
            }
            sb.optTypes(types);
        }
        sb.optMinEntropy(o.getDouble("min-entropy", 3.0));
        sb.optAllowlist(o.getStringList("allowlist", List.of()));
        String r = o.getString("replacement", "placeholder").toUpperCase(Locale.ROOT);
        PiiRedactor.Replacement rep;
        try {
            rep = PiiRedactor.Replacement.valueOf(r);
        } catch (IllegalArgumentException e) {
            throw o.bad("replacement", options.get("replacement"), "placeholder or synthetic");
        }
        return PiiRedactor.builder()
                .optScanner(sb.build())
                .optReplacement(rep)
                .optSeed(o.getLong("seed", 0))
                .build();
    }
}
