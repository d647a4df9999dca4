package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.data.pii.PiiRedactor;
import dev.kiln.data.pii.PiiScanner;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PII scanning throughput on real Java (the JDK's src.zip), one thread. The {@code bytes} counter
 * is bytes of source per second: divide by 1e6 for MB/s per core.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PiiBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Thread)
public class PiiBenchmark {

    private List<Document> docs;
    private List<String> texts;
    private PiiScanner scanner;
    private PiiRedactor redactor;
    private int next;

    /** Bytes processed, reported by JMH as bytes per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() {
        docs = JdkCorpus.load(".java", 32L << 20);
        texts = docs.stream().map(Document::content).toList();
        scanner = PiiScanner.create();
        redactor = PiiRedactor.create();
    }

    @Benchmark
    public int scan(Bytes counter) {
        String t = texts.get(next);
        next = next + 1 == texts.size() ? 0 : next + 1;
        counter.bytes += t.length();
        return scanner.scan(t).size();
    }

    @Benchmark
    public Document redact(Bytes counter) {
        Document d = docs.get(next);
        next = next + 1 == docs.size() ? 0 : next + 1;
        counter.bytes += d.content().length();
        return redactor.apply(d);
    }
}
