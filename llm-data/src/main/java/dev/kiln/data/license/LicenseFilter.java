package dev.kiln.data.license;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.DocumentTransform;
import dev.kiln.data.Verdict;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code license} stage: fills in each document's licenses from its header (when {@code
 * detect} is on), then keeps it only when every license entry is allowed (see {@link
 * Licenses#allowed}). Drop reasons: {@code unknown} (no license found) and {@code not-allowed}.
 *
 * <p>It is both a {@link DocumentTransform} (annotation) and a {@link DocumentFilter} (verdict):
 * the pipeline applies the transform, then tests the transformed document.
 *
 * <pre>{@code
 * LicenseFilter f = LicenseFilter.builder()
 *     .optAllow(List.of("MIT", "Apache-2.0"))
 *     .optKeepUnknown(true)
 *     .build();
 * }</pre>
 */
public final class LicenseFilter implements DocumentFilter, DocumentTransform {

    private static final long serialVersionUID = 1L;

    /** The stage name. */
    public static final String NAME = "license";

    private final Set<String> allow;
    private final boolean keepUnknown;
    private final boolean detect;

    private LicenseFilter(Builder b) {
        this.allow = Collections.unmodifiableSet(new LinkedHashSet<>(b.allow));
        this.keepUnknown = b.keepUnknown;
        this.detect = b.detect;
    }

    /** A builder with the default permissive allowlist. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this filter's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.allow = new LinkedHashSet<>(allow);
        b.keepUnknown = keepUnknown;
        b.detect = detect;
        return b;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The allowed SPDX ids, normalised. */
    public Set<String> allow() {
        return allow;
    }

    /** Whether documents with no detected license are kept. */
    public boolean keepUnknown() {
        return keepUnknown;
    }

    @Override
    public Document apply(Document doc) {
        return detect ? Licenses.withDetected(doc) : doc;
    }

    @Override
    public Verdict test(Document doc) {
        List<String> lic = doc.licenses();
        if (lic.isEmpty()) {
            return keepUnknown ? Verdict.KEEP : Verdict.drop("unknown");
        }
        for (String l : lic) {
            if (!Licenses.allowed(l, allow)) {
                return Verdict.drop("not-allowed");
            }
        }
        return Verdict.KEEP;
    }

    @Override
    public String toString() {
        return "license(allow=" + allow + ", keepUnknown=" + keepUnknown + ", detect=" + detect + ")";
    }

    /** Settings of a {@link LicenseFilter}; defaults: {@link Licenses#PERMISSIVE}, drop unknown, detect. */
    public static final class Builder {
        private Set<String> allow = new LinkedHashSet<>(Licenses.PERMISSIVE);
        private boolean keepUnknown;
        private boolean detect = true;

        private Builder() {}

        /** The allowed SPDX ids (replaces the default allowlist); names are normalised. */
        public Builder optAllow(Collection<String> ids) {
            if (ids == null || ids.isEmpty()) {
                throw new IllegalArgumentException("the license allowlist must not be empty, got " + ids);
            }
            Set<String> out = new LinkedHashSet<>();
            for (String id : ids) {
                out.add(Licenses.normalize(id)
                        .orElseThrow(() -> new IllegalArgumentException("unknown license '" + id
                                + "' in the allowlist; use SPDX ids such as MIT, Apache-2.0, BSD-3-Clause")));
            }
            this.allow = out;
            return this;
        }

        /** Keep documents with no detected license (default: drop them as {@code unknown}). */
        public Builder optKeepUnknown(boolean keepUnknown) {
            this.keepUnknown = keepUnknown;
            return this;
        }

        /** Detect licenses from each file's header (default on). */
        public Builder optDetect(boolean detect) {
            this.detect = detect;
            return this;
        }

        /** The license filter with the settings given. */
        public LicenseFilter build() {
            return new LicenseFilter(this);
        }
    }
}
