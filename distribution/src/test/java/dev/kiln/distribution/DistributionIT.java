package dev.kiln.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln-VERSION.tar.gz as a user gets it: unpacked in a temp dir and run from there with an empty
 * environment (no JAVA_HOME, a bare PATH, a fresh HOME), so bin/llm must find the JDK itself and
 * nothing may come from the source tree.
 */
class DistributionIT {

    @TempDir
    static Path tmp;

    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path dist = Path.of(System.getProperty("kiln.dist"));
        assertThat(dist).isRegularFile();
        Run untar = run(List.of("tar", "-xzf", dist.toString(), "-C", tmp.toString()), Map.of());
        assertThat(untar.code()).as(untar.err()).isZero();
        try (Stream<Path> s = Files.list(tmp)) {
            home = s.filter(p -> p.getFileName().toString().startsWith("kiln-"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void holdsTheLauncherTheJarsTheLicenseAndTheReadme() throws IOException {
        assertThat(home.resolve("bin/llm")).isExecutable();
        assertThat(home.resolve("bin/find-jdk.sh")).isRegularFile();
        assertThat(home.resolve("lib/kiln-cli.jar")).isRegularFile();
        assertThat(home.resolve("LICENSE")).content().contains("Apache License");
        assertThat(home.resolve("README.md")).content().contains("bin/llm env").doesNotContain("${project.version}");
        assertThat(jars(home.resolve("lib/spark"))).anyMatch(n -> n.startsWith("spark-sql_2.13-"));
        assertThat(jars(home.resolve("lib"))).noneMatch(n -> n.startsWith("spark-"));
    }

    @Test
    void envRunsWithNothingSetAndSaysWhatIsHere() throws Exception {
        Run r = llm("env");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("java        25")
                .contains("optional capabilities")
                .containsPattern(
                        "(?m)^  yes --engine spark .*\\n +\\d+ jars in .*lib/spark \\(loaded only for --engine spark\\)");
        assertThat(r.err()).doesNotContain("WARNING:");
    }

    @Test
    void aSmallDataRunWritesADatasetQuietly() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("repo"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(
                    in.resolve("Util" + i + ".java"),
                    "// SPDX-License-Identifier: Apache-2.0\npackage demo;\n\npublic final class Util" + i
                            + " {\n    public static int twice(int x) {\n        return 2 * x + " + i
                            + ";\n    }\n}\n");
        }
        Files.writeString(in.resolve("Gpl.java"), "// SPDX-License-Identifier: GPL-3.0-only\nclass Gpl {}\n");
        Path out = tmp.resolve("dataset");
        // full logger names, to tell Kiln's lines from other libraries'
        Run r = llm(
                Map.of("KILN_JAVA_OPTS", "-Dorg.slf4j.simpleLogger.showShortLogName=false"),
                "data",
                "run",
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--workers",
                "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("manifest.json")).isRegularFile();
        assertThat(out.resolve("report.html")).isRegularFile();
        assertThat(r.out()).contains("kept 5 of 6");
        // quiet: no JVM warnings, no other library's INFO lines (Kiln's own may be there)
        assertThat(r.err()).doesNotContain("WARNING:");
        assertThat(r.err()).contains("[INFO] dev.kiln.");
        assertThat(r.err()
                        .lines()
                        .filter(l -> l.contains("INFO"))
                        .filter(l -> !l.startsWith("[INFO] dev.kiln."))
                        .toList())
                .isEmpty();
    }

    @Test
    void anAotCacheIsRecordedOnRequestUsedAfterwardsAndABadModeIsOneLine() throws Exception {
        Path cache = home.resolve("lib/kiln.aot");
        try {
            Run plain = llm(Map.of("KILN_AOT", "off"), "--version");
            assertThat(plain.code()).as(plain.err()).isZero();
            Run record = llm(Map.of("KILN_AOT", "record"), "--version");
            assertThat(record.code()).as(record.err()).isZero();
            assertThat(record.out()).isEqualTo(plain.out());
            assertThat(record.err()).doesNotContain("[warning]");
            assertThat(cache).isRegularFile();
            Run cached = llm("--version");
            assertThat(cached.code()).as(cached.err()).isZero();
            assertThat(cached.out()).isEqualTo(plain.out());
            assertThat(cached.err()).isEmpty();
            // a damaged cache costs the speed-up, never the command
            Files.writeString(cache, "not an AOT cache");
            Run damaged = llm("--version");
            assertThat(damaged.code()).as(damaged.err()).isZero();
            assertThat(damaged.out()).isEqualTo(plain.out());
        } finally {
            Files.deleteIfExists(cache);
        }
        Run bad = llm(Map.of("KILN_AOT", "sometimes"), "--version");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("llm: KILN_AOT='sometimes' is not one of: auto (default), record, off");
    }

    private static List<String> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .toList();
        }
    }

    private static Run llm(String... args) throws Exception {
        return llm(Map.of(), args);
    }

    private static Run llm(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/llm").toString());
        cmd.addAll(List.of(args));
        Path userHome = Files.createDirectories(tmp.resolve("home"));
        String javaHome = System.getProperty("java.home");
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", "/usr/bin:/bin", "HOME", userHome.toString()));
        if (!javaHome.startsWith("/usr/lib/jvm/") && !javaHome.startsWith("/opt/java/")) {
            env.put("KILN_JDK", javaHome); // a JDK bin/llm would not look for
        }
        env.putAll(extraEnv);
        return run(cmd, env);
    }

    private record Run(int code, String out, String err) {}

    /** Runs a command with exactly the given environment. */
    private static Run run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 3 minutes");
        }
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
