package dev.kiln.data.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.Stages;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.NearDedup;
import dev.kiln.data.dedup.NearDedupTest;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine on a real standalone cluster: a master and two workers, each its own JVM on
 * Java 17 bound to 127.0.0.1, with executors the workers start (Java 17 too); this JVM is the
 * driver and ships Kiln's jars ({@link SparkPipeline#session}). Spark's own jars are the workers'
 * {@code SPARK_HOME/jars}; Kiln's classes reach the executors only through {@code spark.jars}.
 * The cluster must remove exactly the ids the local engine removes.
 */
class SparkClusterTest {

    static final Path JAVA17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    static final List<String> OPENS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true");

    @TempDir
    static Path dir;

    static final List<Process> daemons = new ArrayList<>();
    static SparkSession spark;
    static int uiPort;

    @BeforeAll
    static void startCluster() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        String missing = "the cluster test runs master and workers on Java 17: no " + JAVA17
                + " (apt-get install openjdk-17-jdk-headless)";
        if (!Files.isExecutable(JAVA17.resolve("bin/java"))) {
            if (ci) {
                throw new AssertionError(missing);
            }
            Assumptions.assumeTrue(false, missing);
        }
        Path home = sparkHome();
        int masterPort = freePort();
        uiPort = freePort();
        daemons.add(daemon(
                home,
                "master",
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                "" + masterPort,
                "--webui-port",
                "" + uiPort));
        awaitPort(masterPort, "master");
        for (int w = 1; w <= 2; w++) {
            Path work = Files.createDirectories(dir.resolve("work-" + w));
            daemons.add(daemon(
                    home,
                    "worker-" + w,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--webui-port",
                    "0",
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--work-dir",
                    work.toString(),
                    "spark://127.0.0.1:" + masterPort));
        }
        awaitWorkers(2);
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
        conf.put("spark.executor.memory", "512m");
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", "2");
        conf.put("spark.sql.shuffle.partitions", "2");
        conf.put("spark.default.parallelism", "2");
        spark = SparkPipeline.session("spark://127.0.0.1:" + masterPort, conf);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aStandaloneClusterOnJava17RemovesTheIdsOfTheLocalEngine() throws Exception {
        // the executors are other JVMs, on Java 17
        List<String> javas = spark
                .range(0, 8, 1, 4)
                .selectExpr("java_method('java.lang.System', 'getProperty', 'java.specification.version') AS v")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList();
        assertThat(javas).containsExactly("17");

        List<Document> docs = new ArrayList<>(NearDedupTest.corpus(60, 8));
        for (int i = 0; i < 10; i++) { // exact copies for exact dedup
            docs.add(Document.of("exact-" + i, docs.get(i * 7).content()).withMetadata("stars", (long) i));
        }
        docs.add(Document.of("empty", ""));
        for (int i = 0; i < 5; i++) { // dropped by the per-document filter below
            docs.add(Document.of("long-line-" + i, "int x = 1;\n" + "y".repeat(100 + i) + "\n"));
        }
        Dataset<Row> rows = SparkDocuments.createDataset(spark, docs, Map.of("stars", DataTypes.LongType), 2)
                .cache();

        long t0 = System.nanoTime();
        NearDedup near = NearDedup.builder().build();
        DuplicateSet local = near.find(docs, dir.resolve("local"));
        ExactDedup exact = ExactDedup.builder().build();
        DuplicateSet localExact = exact.find(docs, dir.resolve("local"));
        long localNanos = System.nanoTime() - t0;

        t0 = System.nanoTime();
        DuplicateSet onCluster = SparkDedup.find(rows, near);
        DuplicateSet onClusterExact = SparkDedup.find(rows, exact);
        long clusterNanos = System.nanoTime() - t0;
        System.out.printf(
                "spark cluster test: %d docs, local engine %.2f s, standalone cluster (2 workers) %.2f s%n",
                docs.size(), localNanos / 1e9, clusterNanos / 1e9);

        assertThat(local.duplicates()).hasSizeGreaterThan(30);
        assertThat(onCluster.duplicates()).isEqualTo(local.duplicates());
        assertThat(onCluster.clusterSizes()).isEqualTo(local.clusterSizes());
        assertThat(localExact.duplicates()).hasSizeGreaterThanOrEqualTo(10); // and unedited generated copies
        assertThat(onClusterExact.duplicates()).isEqualTo(localExact.duplicates());

        // the DedupStage adapter the CLI uses: rows sent from the driver, not read from its disk
        DuplicateSet viaStage = SparkDedupStage.builder()
                .setStage(exact)
                .optMaster("spark://127.0.0.1:1") // not used: the active session is
                .build()
                .find(docs, dir.resolve("spill"));
        assertThat(viaStage.duplicates()).isEqualTo(localExact.duplicates());

        // per-document stages, serialised to the executors
        DocumentFilter filter = (DocumentFilter) Stages.create("max-line-length", Map.of("max", 60));
        Set<String> keptLocal = new HashSet<>();
        for (Document d : docs) {
            if (filter.test(d).keep()) {
                keptLocal.add(d.id());
            }
        }
        List<String> keptOnCluster = SparkPipeline.apply(rows, List.of(filter)).select("id").collectAsList().stream()
                .map(r -> r.getString(0))
                .toList();
        assertThat(keptLocal).isNotEmpty().hasSizeLessThan(docs.size());
        assertThat(new HashSet<>(keptOnCluster)).isEqualTo(keptLocal);

        assertOnlyLoopbackListeners();
    }

    /** Every listening TCP socket of the master, the workers and the executors is on 127.0.0.1. */
    private static void assertOnlyLoopbackListeners() throws IOException {
        Set<Long> pids = new HashSet<>();
        for (Process p : daemons) {
            pids.add(p.pid());
            p.descendants().forEach(d -> pids.add(d.pid()));
        }
        assertThat(pids).hasSizeGreaterThanOrEqualTo(5); // master, 2 workers, 2 executors
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            Path fds = Path.of("/proc/" + pid + "/fd");
            try (Stream<Path> s = Files.list(fds)) {
                for (Path fd : (Iterable<Path>) s::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // LISTEN
                    listening.add(f[1]);
                }
            }
        }
        assertThat(listening).as("listening sockets of the cluster").hasSizeGreaterThanOrEqualTo(4);
        assertThat(listening)
                .as("every listener is on loopback (127.0.0.1 or ::ffff:127.0.0.1)")
                .allSatisfy(a -> assertThat(a).matches("0100007F:.*|0000000000000000FFFF00000100007F:.*"));
    }

    /** A SPARK_HOME whose jars/ holds Spark's jars from this class path (links), and no Kiln class. */
    private static Path sparkHome() throws IOException {
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            if (name.endsWith(".jar")
                    && Files.isRegularFile(p)
                    && !p.toString().contains("/dev/kiln/")
                    && !p.toAbsolutePath()
                            .startsWith(Path.of("").toAbsolutePath().getParent())) {
                Path link = jars.resolve(name);
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
        return home;
    }

    private static Process daemon(Path home, String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(JAVA17.resolve("bin/java").toString(), "-Xmx256m", "-cp", home.resolve("jars") + "/*"));
        cmd.addAll(OPENS);
        cmd.add("-Dspark.master.rest.enabled=false");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("JAVA_HOME", JAVA17.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "localhost");
        env.put("SPARK_PUBLIC_DNS", "127.0.0.1");
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, String what) throws Exception {
        long deadline = System.nanoTime() + 240_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        throw new AssertionError(what + " did not listen on 127.0.0.1:" + port + " in 240 s; log:\n" + logs());
    }

    private static void awaitWorkers(int n) throws Exception {
        long deadline = System.nanoTime() + 240_000_000_000L;
        String json = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + uiPort + "/json/")
                        .toURL()
                        .openConnection();
                try (InputStream in = c.getInputStream()) {
                    json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (json.replace(" ", "").contains("\"aliveworkers\":" + n)) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(n + " workers did not register in 240 s: " + json + "\n" + logs());
    }

    private static String logs() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".log"))
                    .map(p -> {
                        try {
                            List<String> l = Files.readAllLines(p);
                            return p.getFileName() + ":\n"
                                    + String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
                        } catch (IOException e) {
                            return p + ": " + e.getMessage();
                        }
                    })
                    .collect(Collectors.joining("\n"));
        }
    }
}
