package dev.kiln.train.metrics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Creates {@link MetricsSink}s by name (config key {@code metrics.sinks}), found through {@link
 * ServiceLoader}. Built in: {@code jsonl}, {@code html}, {@code console}.
 */
public interface MetricsSinkProvider {

    /** The name in {@code metrics.sinks}, e.g. {@code "jsonl"}. */
    String name();

    /** A sink writing under {@code runDir}. */
    MetricsSink create(Path runDir, Map<String, String> options);

    /** The {@code log_interval} option (default 10), checked: an integer >= 1. */
    static int logInterval(Map<String, String> options) {
        String v = options.getOrDefault("log_interval", "10");
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("metrics.log_interval must be an integer >= 1, got '" + v + "'");
    }

    /** The sink named {@code name}. */
    static MetricsSink open(String name, Path runDir, Map<String, String> options) {
        List<String> names = new ArrayList<>();
        for (MetricsSinkProvider p : ServiceLoader.load(MetricsSinkProvider.class)) {
            names.add(p.name());
            if (p.name().equals(name)) {
                return p.create(runDir, options);
            }
        }
        throw new IllegalArgumentException("unknown metrics sink '" + name + "' (available: " + names + ")");
    }
}
