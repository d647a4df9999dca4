package dev.kiln.data.parse.internal;

import dev.kiln.core.hash.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Extracts the tree-sitter native libraries that the {@code io.github.bonede} jars carry
 * ({@code lib/x86_64-linux-gnu-tree-sitter-python.so}, ...) to a cache directory, once per content:
 * the file name holds a hash of the bytes, so two versions never collide and a half-written file is
 * never used (written to a temporary file, then renamed). The directory is the system property
 * {@code kiln.treesitter.cache}, else {@code $XDG_CACHE_HOME/kiln/tree-sitter}, else
 * {@code ~/.cache/kiln/tree-sitter}.
 */
public final class BonedeLibraries {

    private BonedeLibraries() {}

    /** Whether the jar of library {@code name} for this platform is on the class path. */
    public static boolean present(String name) {
        return BonedeLibraries.class.getClassLoader().getResource(resource(name)) != null;
    }

    private static String resource(String name) {
        return "lib/" + platform() + "-" + name + suffix();
    }

    /** The extracted file of library {@code name} ("tree-sitter", "tree-sitter-python", ...). */
    public static Path extract(String name) throws IOException {
        String resource = resource(name);
        byte[] bytes;
        try (InputStream in = BonedeLibraries.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no native library " + resource + " on the class path (add io.github.bonede:"
                        + name + " for os.name=" + System.getProperty("os.name") + ", os.arch="
                        + System.getProperty("os.arch") + ")");
            }
            bytes = in.readAllBytes();
        }
        Path dir = cacheDir();
        Files.createDirectories(dir);
        Path target = dir.resolve(name + "-" + sha256(bytes).substring(0, 16) + suffix());
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, name + "-", ".part");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static Path cacheDir() {
        String p = System.getProperty("kiln.treesitter.cache");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("kiln").resolve("tree-sitter");
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        if (os.contains("linux")) {
            return a + "-linux-gnu";
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return a + "-macos";
        }
        if (os.contains("windows")) {
            return a + "-windows";
        }
        return a + "-" + os;
    }

    static String suffix() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return ".dylib";
        }
        return os.contains("windows") ? ".dll" : ".so";
    }

    private static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }
}
