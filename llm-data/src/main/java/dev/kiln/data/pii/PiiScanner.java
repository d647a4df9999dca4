package dev.kiln.data.pii;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds emails, public IP addresses, secret keys and passwords in text in <b>one pass</b>: the scan
 * walks the text once, skips whole words with one table lookup per character, and looks closer only
 * at trigger points. No regex runs. One small class per detector (kind in brackets):
 *
 * <ul>
 *   <li>vendor keys — {@code key-rules.tsv} (rules as data, read by {@link KeyRules}): each vendor's
 *       published shape and alphabet, e.g. [{@code github-token}] {@code ghp_[A-Za-z0-9]{36}},
 *       [{@code huggingface-token}] {@code hf_[A-Za-z]{34}}, [{@code aws-access-key}] {@code
 *       AKIA[A-Z2-7]{16}}, [{@code openai-key}] {@code sk-…T3BlbkFJ…}, and 30 more. Every random
 *       part must also look random ({@link Randomness}): identifiers such as {@code
 *       hf_request_value_token_options_token} or {@code sk-estimator-fitted-container} are never
 *       keys;
 *   <li>{@link Tokens}: [{@code jwt}], [{@code bearer-token}], and [{@code aws-secret-key}] near an
 *       access key id;
 *   <li>{@link IpSpans}: [{@code ipv4}, {@code ipv6}] globally routable addresses, not version
 *       numbers or OIDs;
 *   <li>{@link Emails}: [{@code email}];
 *   <li>{@link UrlSecrets}: [{@code url-password}] in {@code scheme://user:password@host}, [{@code
 *       slack-webhook}];
 *   <li>{@link PemBlocks}: [{@code private-key}] PEM blocks;
 *   <li>{@link Assignments} with {@link SecretNames}: [{@code assigned-secret}, {@code
 *       assigned-password}] values assigned to secret-looking names, behind an entropy and
 *       character-class gate ({@link #minEntropy()}, default 3.0 bits per character).
 * </ul>
 *
 * <p>Never reported ({@link Placeholders}): UUIDs, hashes with an algorithm prefix, placeholders
 * ({@code ${VAR}}, {@code <key>}, {@code your_key}, {@code xxxx}, {@code changeme}, anything with
 * {@code example}), the well-known documentation values (AWS's {@code AKIAIOSFODNN7EXAMPLE},
 * Stripe's and jwt.io's samples) plus any user allowlist.
 *
 * <p>Immutable and thread-safe; build once, share.
 *
 * <pre>{@code
 * PiiScanner scanner = PiiScanner.builder().optTypes(EnumSet.of(PiiType.KEY, PiiType.EMAIL)).build();
 * for (PiiSpan s : scanner.scan(code)) {
 *     System.out.println(s.type() + " " + s.kind() + " at " + s.start());
 * }
 * }</pre>
 */
public final class PiiScanner implements Serializable {

    private static final long serialVersionUID = 1L;

    private final EnumSet<PiiType> types;
    private final double minEntropy;
    private final TreeSet<String> allowlist;

    private PiiScanner(Builder b) {
        this.types = EnumSet.copyOf(b.types);
        this.minEntropy = b.minEntropy;
        this.allowlist = new TreeSet<>(Placeholders.KNOWN_EXAMPLES);
        this.allowlist.addAll(b.allowlist);
    }

    /** All types, entropy threshold 3.0 bits per character. */
    public static PiiScanner create() {
        return builder().build();
    }

    /** A builder: all types, entropy threshold 3.0 bits per character. */
    public static Builder builder() {
        return new Builder();
    }

    /** The types this scanner reports. */
    public Set<PiiType> types() {
        return EnumSet.copyOf(types);
    }

    /** Minimum Shannon entropy (bits per character) of a value assigned to a secret name. */
    public double minEntropy() {
        return minEntropy;
    }

    /**
     * The spans found, sorted and non-overlapping, as UTF-16 indices into {@code text}.
     *
     * @param text any text; {@code null} is an error
     */
    public List<PiiSpan> scan(String text) {
        Scan sc = new Scan(this, text);
        sc.run();
        return sc.spans();
    }

    boolean reports(PiiType type) {
        return types.contains(type);
    }

    boolean allowed(String value) {
        return allowlist.contains(value);
    }

    /** Shannon entropy of the characters of {@code v}, in bits per character. */
    static double entropy(String v) {
        return Randomness.entropy(v, 0, v.length());
    }

    /** Builds a {@link PiiScanner}. */
    public static final class Builder {
        private EnumSet<PiiType> types = EnumSet.allOf(PiiType.class);
        private double minEntropy = 3.0;
        private final List<String> allowlist = new ArrayList<>();

        private Builder() {}

        /** Which types to report (default: all). */
        public Builder optTypes(Collection<PiiType> types) {
            if (types == null || types.isEmpty()) {
                throw new IllegalArgumentException("need at least one PII type, got " + types);
            }
            this.types = EnumSet.copyOf(types);
            return this;
        }

        /** Minimum Shannon entropy (bits per character) of a value assigned to a secret name (default 3.0). */
        public Builder optMinEntropy(double bits) {
            if (!(bits >= 0 && bits <= 8)) {
                throw new IllegalArgumentException(
                        "entropy threshold must be in [0, 8] bits per character, got " + bits);
            }
            this.minEntropy = bits;
            return this;
        }

        /** Exact values never to report (test fixtures, documented sample keys). */
        public Builder optAllowlist(Collection<String> values) {
            for (String v : values) {
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("allowlist values must not be empty, got '" + v + "'");
                }
                allowlist.add(v);
            }
            return this;
        }

        /** The scanner with the settings given. */
        public PiiScanner build() {
            return new PiiScanner(this);
        }
    }
}
