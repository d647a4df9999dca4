package dev.kiln.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The registry of {@link StageProvider}s found through {@link ServiceLoader}.
 *
 * <pre>{@code
 * Stage s = Stages.create("max-line-length", Map.of("max", 1000));
 * }</pre>
 */
public final class Stages {

    private Stages() {}

    /** Providers by name, sorted. */
    public static Map<String, StageProvider> providers() {
        Map<String, StageProvider> out = new TreeMap<>();
        for (StageProvider p : ServiceLoader.load(StageProvider.class, Stages.class.getClassLoader())) {
            StageProvider prev = out.putIfAbsent(p.name(), p);
            if (prev != null && prev.getClass() != p.getClass()) {
                throw new IllegalStateException("two stage providers are named '" + p.name() + "': "
                        + prev.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return out;
    }

    /** Creates the named stage with default options. */
    public static Stage create(String name) {
        return create(name, Map.of());
    }

    /** Creates the named stage; an unknown name lists the known ones. */
    public static Stage create(String name, Map<String, Object> options) {
        Map<String, StageProvider> all = providers();
        StageProvider p = all.get(name);
        if (p == null) {
            throw new IllegalArgumentException(
                    "unknown stage '" + name + "'; known stages: " + String.join(", ", all.keySet()));
        }
        return p.create(options == null ? Map.of() : options);
    }

    /** Names of every registered stage. */
    public static List<String> names() {
        return new ArrayList<>(providers().keySet());
    }
}
