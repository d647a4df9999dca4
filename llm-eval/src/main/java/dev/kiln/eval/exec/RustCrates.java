package dev.kiln.eval.exec;

import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.core.hash.Sha256;
import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The crates every HumanEval-X Rust program imports ({@code rand}, {@code regex}, {@code md5}, as
 * the reference harness's Cargo project), built once per compiler into a cache directory ({@code
 * ~/.cache/kiln/rust-crates/<hash of rustc -vV>}) with {@code cargo --offline} from a local crate
 * registry directory (default Debian's {@code /usr/share/cargo/registry}, filled by {@code apt-get
 * install librust-rand-dev librust-regex-dev librust-md5-dev}); samples link the rlibs with
 * {@code --extern}. A file lock serializes JVMs building the same cache.
 */
final class RustCrates {

    /** The reference's Cargo.toml dependencies (rand "0.4" there; the registry's rand here). */
    static final List<String> CRATES = List.of("rand", "regex", "md5");

    static final Path DEBIAN_REGISTRY = Path.of("/usr/share/cargo/registry");

    private RustCrates() {}

    /** {@code --extern name=path} flags and {@code -L dependency=dir} for the built crates. */
    static List<String> flags(Path rustc, Path cargo, Path registry, Path cacheRoot, Duration timeout)
            throws IOException {
        Map<String, String> env = env(rustc, cargo);
        ProcessRun.Result v =
                ProcessRun.run(List.of(rustc.toString(), "-vV"), null, env, null, Duration.ofSeconds(30), null, 8192);
        if (v.exitCode() != 0) {
            throw new IOException("'" + rustc + " -vV' failed: " + v.stderr().strip());
        }
        Path dir = cacheRoot.resolve(hash(v.stdout() + registry));
        Path deps = dir.resolve("target/debug/deps");
        Files.createDirectories(dir);
        try (FileChannel ch =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (!Files.exists(dir.resolve("built"))) {
                build(dir, cargo, registry, env, timeout);
            }
        }
        List<String> flags = new ArrayList<>(List.of("-L", "dependency=" + deps));
        for (String crate : CRATES) {
            flags.add("--extern");
            flags.add(crate + "=" + rlib(deps, crate));
        }
        return flags;
    }

    private static void build(Path dir, Path cargo, Path registry, Map<String, String> env, Duration timeout)
            throws IOException {
        if (!Files.isDirectory(registry)) {
            throw new KilnEnvironmentException(
                    "no local crate registry at " + registry + " to build rand, regex and md5 from (HumanEval-X Rust"
                            + " programs import them)",
                    "apt-get install librust-rand-dev librust-regex-dev librust-md5-dev, or pass"
                            + " RustExecutor.builder().optCrateRegistry(DIR) for a cargo directory source");
        }
        Files.createDirectories(dir.resolve("src"));
        Files.createDirectories(dir.resolve(".cargo"));
        StringBuilder toml = new StringBuilder(
                "[package]\nname = \"kiln-humaneval-crates\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n"
                        + "[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\n");
        for (String crate : CRATES) {
            toml.append(crate).append(" = \"*\"\n");
        }
        Files.writeString(dir.resolve("Cargo.toml"), toml.toString(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("src/lib.rs"), "", StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve(".cargo/config.toml"),
                "[source.crates-io]\nreplace-with = \"local\"\n\n[source.local]\ndirectory = \"" + registry + "\"\n",
                StandardCharsets.UTF_8);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CARGO_HOME", dir.resolve("cargo-home").toString());
        e.put("CARGO_NET_OFFLINE", "true");
        e.put("RUSTFLAGS", "-C debuginfo=0");
        ProcessRun.Result r = ProcessRun.run(
                List.of(cargo.toString(), "build", "--offline", "--quiet"), dir, e, null, timeout, null, 64 * 1024);
        if (r.exitCode() != 0 || r.timedOut()) {
            throw new IOException("cannot build the crates rand, regex, md5 with cargo in " + dir
                    + (r.timedOut() ? " (timed out)" : ": " + r.stderr().strip()));
        }
        Path done = dir.resolve("built.tmp");
        Files.writeString(done, "ok\n");
        Files.move(done, dir.resolve("built"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path rlib(Path deps, String crate) throws IOException {
        try (Stream<Path> files = Files.list(deps)) {
            return files.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith("lib" + crate + "-") && n.endsWith(".rlib");
                    })
                    .findFirst()
                    .orElseThrow(() -> new IOException("crate " + crate + " was not built in " + deps));
        }
    }

    static Map<String, String> env(Path rustc, Path cargo) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", rustc.getParent() + ":" + cargo.getParent() + ":/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", System.getProperty("user.home", "/tmp"));
        env.put("LANG", "C.UTF-8");
        String rustup = System.getenv("RUSTUP_HOME");
        if (rustup != null) {
            env.put("RUSTUP_HOME", rustup);
        }
        return env;
    }

    private static String hash(String s) {
        return Sha256.hex(s).substring(0, 16);
    }
}
