package dev.kiln.cli;

import java.util.List;
import java.util.Locale;

/**
 * The CLI's log levels, set before the first logger exists: Kiln's own loggers ({@code dev.kiln})
 * at INFO and every other library's at WARN, so Arrow, DJL, Jetty and Spark do not drown Kiln's
 * lines; {@code --verbose} or {@code KILN_LOG=debug} shows everything. An explicit
 * {@code -Dorg.slf4j.simpleLogger...} (e.g. in {@code KILN_JAVA_OPTS}) wins over both.
 */
final class CliLogging {

    static final String ENV = "KILN_LOG";
    private static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private CliLogging() {}

    /**
     * Sets slf4j-simple's levels from the arguments and {@code KILN_LOG}; returns a one-line
     * problem when {@code KILN_LOG} holds no level, else null.
     */
    static String configure(String[] args, String kilnLog) {
        boolean verbose = List.of(args).contains("--verbose");
        String level = null;
        if (kilnLog != null && !kilnLog.isBlank()) {
            String l = kilnLog.trim().toLowerCase(Locale.ROOT);
            if (LEVELS.contains(l)) {
                level = l;
            } else {
                return ENV + "='" + kilnLog + "' is not a log level; use one of " + String.join(", ", LEVELS);
            }
        }
        if (verbose && (level == null || LEVELS.indexOf(level) < LEVELS.indexOf("debug"))) {
            level = "debug";
        }
        setIfAbsent("defaultLogLevel", level == null ? "warn" : level);
        setIfAbsent("log.dev.kiln", level == null ? "info" : level);
        if (level == null) {
            // Known and harmless: Hadoop's pure-Java fallback when libhadoop.so is absent (Parquet, Spark).
            setIfAbsent("log.org.apache.hadoop.util.NativeCodeLoader", "error");
            // DJL probing for CUDA on a machine without an NVIDIA device ("CUDA driver version is
            // insufficient", twice): only noise there; with a device, the warning may matter and stays.
            if (!java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidia0"))) {
                setIfAbsent("log.ai.djl.util.cuda.CudaUtils", "error");
            }
        }
        // The CLI's one binding, named: otherwise slf4j finds it by a ServiceLoader scan that opens
        // every jar of the class path (~130) at the first logger, on every command. Its note that it
        // loaded the named provider is not for users. Both stay overridable with -D.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
        setIfAbsent("showThreadName", level == null ? "false" : "true");
        setIfAbsent("showShortLogName", "true");
        setIfAbsent("levelInBrackets", "true");
        return null;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
