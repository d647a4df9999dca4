package dev.kiln.data.license;

import dev.kiln.data.Stage;
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
        for (Map.Entry<String, Object> e : options.entrySet()) {
            switch (e.getKey()) {
                case "allow":
                    b.optAllow(StageOptions.stringList(name(), e.getKey(), e.getValue()));
                    break;
                case "keep_unknown":
                    b.optKeepUnknown(StageOptions.bool(name(), e.getKey(), e.getValue()));
                    break;
                case "detect":
                    b.optDetect(StageOptions.bool(name(), e.getKey(), e.getValue()));
                    break;
                default:
                    throw StageOptions.unknownKey(name(), e.getKey(), List.of("allow", "keep_unknown", "detect"));
            }
        }
        return b.build();
    }
}
