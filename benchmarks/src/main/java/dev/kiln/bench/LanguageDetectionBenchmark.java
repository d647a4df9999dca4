package dev.kiln.bench;

import dev.kiln.core.Language;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import picocli.CommandLine.Command;

/**
 * Language detection over every path in the JDK's {@code src.zip} (about 15k real file names,
 * plus synthetic script/header names to exercise the other paths).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LanguageDetectionBenchmark {

    private String[] paths;

    @Setup
    public void setup() throws IOException {
        List<String> names = new ArrayList<>();
        Path src = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        try (ZipFile zip = new ZipFile(src.toFile())) {
            Enumeration<? extends ZipEntry> e = zip.entries();
            while (e.hasMoreElements()) {
                ZipEntry z = e.nextElement();
                if (!z.isDirectory()) {
                    names.add(z.getName());
                }
            }
        }
        String[] extra = {"Makefile", "Dockerfile", "build.gradle.kts", "index.d.ts", "a/b/util.h", "README", "x.tar.gz"
        };
        for (String s : extra) {
            names.add(s);
        }
        paths = names.toArray(new String[0]);
    }

    /** Throughput is paths per second ({@code paths.length} per op). */
    @Benchmark
    public void detectAllPaths(Blackhole bh) {
        for (String p : paths) {
            bh.consume(Language.detect(p));
        }
    }

    /** Number of paths per op, printed once for turning ops/s into paths/s. */
    public static void main(String[] args) {
        BenchCli.run(new PathCount(), args);
    }

    @Command(
            name = "LanguageDetectionBenchmark",
            mixinStandardHelpOptions = true,
            description = "Prints the number of paths per op of the JMH benchmark (ops/s to paths/s); run the"
                    + " benchmark itself through JMH.")
    static final class PathCount implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            LanguageDetectionBenchmark b = new LanguageDetectionBenchmark();
            b.setup();
            System.out.println(b.paths.length + " paths per op");
            return 0;
        }
    }
}
