package dev.kiln.train;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the oneMKL built into libtorch use its fastest kernels on AMD CPUs. MKL picks the code path
 * of its float32 matrix products by CPU vendor, not by instruction set: on a non-Intel CPU it runs
 * its generic AVX2 kernels even where the CPU has AVX-512. Its vendor test ({@code
 * mkl_serv_intel_cpu_true}) caches its answer in a static int that starts at -1 ("not asked
 * yet"); setting it to 1 before the first matrix product makes MKL choose its kernels by the
 * instruction sets it detects, as on an Intel CPU. This is what the widely used {@code LD_PRELOAD}
 * shim ({@code int mkl_serv_intel_cpu_true() { return 1; }}) does, from inside the JVM. On this
 * project's AMD EPYC (Zen 5, AVX-512) a 16-row product runs 1.5–2.4× faster (see
 * benchmarks/README.md, "Serving").
 *
 * <p>Off unless asked for with {@code KILN_MKL_AMD=on} (or {@code -Dkiln.mkl.amd=on}): it writes into
 * a vendor library's internal state, and on the serving benchmark it made the worst inter-token gap
 * of the long-prompt scenario worse (median worst ÷ median gap 5.1× on, 2.95× off, 4 alternating
 * rounds each; benchmarks/README.md, "Serving") while raising throughput by 30–50%. Re-measured
 * in session 10 with packed weights and the serving thread's MKL thread count fixed: on the 27 M
 * model the worst gap was 3.1–7.8× the median with it (median of 4 rounds 4.8×) against 1.7–4.0×
 * (3.05×) without, while c=16 throughput rose 43–60%; on the 4.9 M model the gaps were alike (3.4×
 * median both) and c=16 rose 22–79%. So it stays opt-in.
 *
 * <p>When asked for, it is applied once, when the PyTorch engine is first used, only when every check passes: Linux on
 * x86-64, an AMD CPU whose flags include AVX2 and FMA, a loaded {@code libtorch_cpu.so} exporting
 * {@code mkl_serv_intel_cpu_true} whose first instructions are exactly the expected cached-value
 * test ({@code mov eax, [rip+d]; test eax, eax; js; ret}), and that value still -1. Anything else
 * leaves MKL alone.
 */
final class MklDispatch {

    private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);

    /** mov eax, [rip + disp32]: 8B 05 d d d d; then test eax, eax; js +1; ret. */
    private static final byte[] PREFIX = {(byte) 0x8B, 0x05};

    private static final byte[] SUFFIX = {(byte) 0x85, (byte) 0xC0, 0x78, 0x01, (byte) 0xC3};

    private static volatile String outcome;

    private MklDispatch() {}

    /** What {@link #apply()} did, for logs and run manifests; null before it ran. */
    static String outcome() {
        return outcome;
    }

    /** Applies the setting once (later calls return the first outcome). */
    static synchronized String apply() {
        if (outcome == null) {
            outcome = attempt();
            LOG.debug("MKL dispatch: {}", outcome);
        }
        return outcome;
    }

    private static String attempt() {
        return attempt(Optional.ofNullable(System.getProperty("kiln.mkl.amd")).orElse(System.getenv("KILN_MKL_AMD")));
    }

    /**
     * One attempt with the switch's value ({@code on} tries; {@code off} or null leaves MKL alone;
     * anything else is an error); package-private for its test.
     */
    static String attempt(String setting) {
        String s = setting == null ? "off" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("off")) {
            return "off (KILN_MKL_AMD=on to let MKL use the CPU's instruction sets on AMD)";
        }
        if (!s.equals("on")) {
            throw new IllegalArgumentException("KILN_MKL_AMD='" + setting + "' is not one of: on, off (default)");
        }
        String arch = System.getProperty("os.arch", "");
        if (!System.getProperty("os.name", "").startsWith("Linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "not applied: not Linux on x86-64";
        }
        String cpu;
        try {
            cpu = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "not applied: /proc/cpuinfo unreadable";
        }
        if (!cpu.contains("AuthenticAMD")) {
            return "not applied: not an AMD CPU";
        }
        String flags = flags(cpu);
        if (!flags.contains(" avx2 ") || !flags.contains(" fma ")) {
            return "not applied: the CPU lacks AVX2 or FMA";
        }
        Path lib = loadedLibrary("libtorch_cpu.so");
        if (lib == null) {
            return "not applied: libtorch_cpu.so is not loaded";
        }
        try {
            // The library is already loaded: this lookup takes another reference to it, kept for the
            // JVM's life like the engine's own.
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            Optional<MemorySegment> fn = lookup.find("mkl_serv_intel_cpu_true");
            if (fn.isEmpty()) {
                return "not applied: this libtorch has no MKL vendor test";
            }
            MemorySegment code = fn.get().reinterpret(11);
            for (int i = 0; i < PREFIX.length; i++) {
                if (code.get(ValueLayout.JAVA_BYTE, i) != PREFIX[i]) {
                    return "not applied: unexpected MKL vendor test code";
                }
            }
            for (int i = 0; i < SUFFIX.length; i++) {
                if (code.get(ValueLayout.JAVA_BYTE, 6 + i) != SUFFIX[i]) {
                    return "not applied: unexpected MKL vendor test code";
                }
            }
            int disp = code.get(ValueLayout.JAVA_INT_UNALIGNED, 2);
            long address = fn.get().address() + 6 + disp;
            MemorySegment cached = MemorySegment.ofAddress(address).reinterpret(4);
            int now = cached.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            if (now != -1) {
                return now == 1 ? "already on" : "not applied: MKL had already chosen its kernels (value " + now + ")";
            }
            cached.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 1);
            LOG.info(
                    "MKL: AMD CPU ({}): matrix products use the kernels of the CPU's instruction sets"
                            + " (KILN_MKL_AMD=on; unset it to keep MKL's generic AMD path)",
                    flags.contains(" avx512f ") ? "AVX-512" : "AVX2");
            return "on (" + (flags.contains(" avx512f ") ? "AVX-512" : "AVX2") + ")";
        } catch (RuntimeException | LinkageError e) {
            return "not applied: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The {@code flags} line of the first CPU, padded with spaces. */
    private static String flags(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                return " " + line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT) + " ";
            }
        }
        return " ";
    }

    /** The path of a loaded shared library from {@code /proc/self/maps}, or null. */
    static Path loadedLibrary(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + name)) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
