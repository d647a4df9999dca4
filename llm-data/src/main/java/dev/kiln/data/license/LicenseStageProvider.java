package dev.kiln.data.license;

import dev.kiln.data.Stage;
import dev.kiln.data.StageOptions;
import dev.kiln.data.StageProvider;
import java.util.List;
import java.util.Map;

/**
 * Registers the {@code license} stage. Options: {@code allow} (list of SPDX ids; default {@link
 * Licenses#PERMISSIVE}), {@code keep_unknown} (default false), {@code detect} (from file headers,
 * default true).
 */
public final class LicenseStageProvider implements StageProvider {

    @Override
    public String name() {
        return LicenseFilter.NAME;
    }

    @Override
    public String description() {
        return "detect licenses (headers, LICENSE files, package metadata) and keep permissively licensed documents";
    }

    @Override
    public Stage create(Map<String, Object> options) {
        LicenseFilter.Builder b = LicenseFilter.builder();
        StageOptions o = StageOptions.of(name(), options, "allow", "keep_unknown", "detect");
        o.apply("allow", () -> b.optAllow(o.getStringList("allow", List.of())));
        o.apply("keep_unknown", () -> b.optKeepUnknown(o.getBoolean("keep_unknown", false)));
        o.apply("detect", () -> b.optDetect(o.getBoolean("detect", true)));
        return b.build();
    }
}
