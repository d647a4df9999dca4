package dev.kiln.train;

import dev.kiln.core.KilnEnvironmentException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, before DJL loads anything, that the libtorch a user asked for ({@code PYTORCH_VERSION},
 * {@code PYTORCH_FLAVOR}, {@code PYTORCH_LIBRARY_PATH}) can work with the JNI library on the class path
 * ({@code pytorch-jni}, built for one libtorch version and a few flavours). Left to itself, DJL logs a
 * warning and tries to download another JNI library, which fails offline with an unrelated message, or
 * crashes when the flavour's library is missing.
 */
final class LibtorchPreflight {

    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern WHEEL_VERSION = Pattern.compile("__version__\\s*=\\s*['\"]([^'\"]+)['\"]");

    private LibtorchPreflight() {}

    /**
     * @param version {@code PYTORCH_VERSION} or null
     * @param flavor {@code PYTORCH_FLAVOR} or null
     * @param libraryPath {@code PYTORCH_LIBRARY_PATH} or null
     * @throws KilnEnvironmentException naming both sides when they cannot work together
     */
    static void check(String version, String flavor, String libraryPath, ClassLoader loader) {
        URL props = loader.getResource("jnilib/pytorch.properties");
        if (props == null) {
            return; // no JNI jar: DJL downloads a matching one (or says it cannot)
        }
        String jni = jniVersion(props);
        String jniTorch = jni.contains("-") ? jni.substring(0, jni.indexOf('-')) : jni;
        String fixVersions = "pytorch-jni " + jni + " works with libtorch " + jniTorch + " only: set PYTORCH_VERSION="
                + jniTorch + " and point PYTORCH_LIBRARY_PATH at a libtorch " + jniTorch
                + " (e.g. torch/lib of a torch==" + jniTorch + " wheel), or unset PYTORCH_VERSION,"
                + " PYTORCH_FLAVOR and PYTORCH_LIBRARY_PATH to use the CPU libtorch on the class path";
        if (!blank(version) && !jniTorch.equals(torchVersion(version))) {
            throw new KilnEnvironmentException(
                    "PYTORCH_VERSION=" + version.trim() + " does not match the PyTorch JNI library on the class path"
                            + " (pytorch-jni " + jni + ", built for libtorch " + jniTorch + ")",
                    fixVersions);
        }
        String want =
                blank(flavor) ? null : flavor.trim().toLowerCase(Locale.ROOT).replace("-precxx11", "");
        if (!blank(libraryPath)) {
            Installed lib = installed(libraryPath);
            if (lib != null) {
                if (!jniTorch.equals(torchVersion(lib.version()))) {
                    throw new KilnEnvironmentException(
                            "PYTORCH_LIBRARY_PATH=" + libraryPath + " holds libtorch " + lib.version() + " ("
                                    + lib.source()
                                    + ") but the PyTorch JNI library on the class path is pytorch-jni " + jni
                                    + ", built for libtorch " + jniTorch,
                            fixVersions);
                }
                if (want != null && lib.flavor() != null && !want.equals(lib.flavor())) {
                    throw new KilnEnvironmentException(
                            "PYTORCH_FLAVOR=" + flavor.trim() + " but PYTORCH_LIBRARY_PATH=" + libraryPath + " holds a "
                                    + lib.flavor() + " libtorch (" + lib.version() + ")",
                            "set PYTORCH_FLAVOR=" + lib.flavor());
                }
                if (want == null && lib.flavor() != null && lib.flavor().startsWith("cu")) {
                    want = lib.flavor();
                    if (jniFlavors(props).contains(want)) {
                        throw new KilnEnvironmentException(
                                "PYTORCH_LIBRARY_PATH=" + libraryPath + " holds a CUDA libtorch (" + lib.version()
                                        + ") but PYTORCH_FLAVOR is not set, so DJL would look for a JNI library"
                                        + " that does not exist",
                                "set PYTORCH_FLAVOR=" + want + " (DJL's default flavours ended with 2.7.1)");
                    }
                }
            }
        }
        if (want != null) {
            TreeSet<String> have = jniFlavors(props);
            if (!have.isEmpty() && !have.contains(want)) {
                throw new KilnEnvironmentException(
                        "libtorch flavour " + want + " does not match the PyTorch JNI library on the class path"
                                + " (pytorch-jni " + jni + " holds " + String.join(", ", have) + " for "
                                + classifier() + ")",
                        "use a libtorch " + jniTorch + " built for one of " + String.join(", ", have)
                                + " (e.g. a torch==" + jniTorch + "+cu128 wheel with PYTORCH_FLAVOR=cu128)");
            }
        }
    }

    /** What a libtorch folder says it is: a wheel's {@code torch/version.py} or a zip's {@code build-version}. */
    record Installed(String version, String flavor, String source) {}

    static Installed installed(String libraryPath) {
        for (String part : libraryPath.split(java.io.File.pathSeparator)) {
            Path lib = Path.of(part);
            if (Files.isRegularFile(lib)) {
                lib = lib.getParent();
            }
            Path parent = lib.toAbsolutePath().getParent();
            if (parent == null) {
                continue;
            }
            try {
                Path wheel = parent.resolve("version.py");
                if (Files.isRegularFile(wheel)) {
                    Matcher m = WHEEL_VERSION.matcher(Files.readString(wheel));
                    if (m.find()) {
                        return of(m.group(1), wheel);
                    }
                }
                Path zip = parent.resolve("build-version");
                if (Files.isRegularFile(zip)) {
                    return of(Files.readString(zip).trim(), zip);
                }
            } catch (IOException e) {
                // unreadable: nothing to compare, DJL reports what it finds
            }
        }
        return null;
    }

    private static Installed of(String full, Path source) {
        int plus = full.indexOf('+');
        String local = plus < 0 ? null : full.substring(plus + 1).toLowerCase(Locale.ROOT);
        return new Installed(full, local, source.toString());
    }

    private static String torchVersion(String v) {
        Matcher m = VERSION.matcher(v.trim());
        return m.find() ? m.group(1) : v.trim();
    }

    private static String jniVersion(URL props) {
        Properties p = new Properties();
        try (InputStream in = props.openStream()) {
            p.load(in);
        } catch (IOException e) {
            throw new KilnEnvironmentException(
                    "cannot read " + props + ": " + e.getMessage(), "check the pytorch-jni jar on the class path", e);
        }
        return p.getProperty("jni_version", "unknown");
    }

    /** The flavours the JNI jar holds for this machine's classifier (empty when it cannot be listed). */
    private static TreeSet<String> jniFlavors(URL props) {
        TreeSet<String> out = new TreeSet<>();
        String prefix = "jnilib/" + classifier() + "/";
        try {
            if (props.openConnection() instanceof JarURLConnection c) {
                c.setUseCaches(false);
                try (var jar = c.getJarFile()) {
                    jar.stream().map(java.util.zip.ZipEntry::getName).forEach(n -> {
                        if (n.startsWith(prefix) && n.length() > prefix.length()) {
                            String rest = n.substring(prefix.length());
                            int slash = rest.indexOf('/');
                            if (slash > 0) {
                                out.add(rest.substring(0, slash));
                            }
                        }
                    });
                }
            }
        } catch (IOException e) {
            // cannot list: let DJL decide
        }
        return out;
    }

    private static String classifier() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        String o = os.startsWith("mac") ? "osx" : os.startsWith("win") ? "win" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
        return o + "-" + a;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
