package dev.kiln.bench;

import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import dev.kiln.tokenize.SpecialTokens;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kiln's BPE encoder and trainer on real Java code: {@code java/util} of the running JDK's
 * {@code lib/src.zip} (~5 MB). One op = one pass over all files; MB/s = corpus MB × ops/s (the
 * corpus size is printed at setup).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TokenizerBenchmarks
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class TokenizerBenchmarks {

    @Param({"8000"})
    int vocabSize;

    List<String> texts;
    BpeTokenizer tokenizer;
    java.util.Map<String, Long> wordCounts;

    /** {@code java/util/**.java} from the JDK's src.zip. */
    static List<String> jdkSources(String prefix) throws IOException {
        Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        List<String> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (e.getName().startsWith(prefix) && e.getName().endsWith(".java")) {
                    try (InputStream in = z.getInputStream(e)) {
                        out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out;
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        texts = jdkSources("java.base/java/util/");
        long bytes = 0;
        for (String t : texts) {
            bytes += t.getBytes(StandardCharsets.UTF_8).length;
        }
        System.out.printf("%ncorpus: %d files, %.2f MB%n", texts.size(), bytes / 1e6);
        tokenizer = trainer().trainTexts(texts);
        wordCounts = trainer().countWords(texts);
    }

    BpeTrainer trainer() {
        return BpeTrainer.builder()
                .setVocabSize(vocabSize)
                .optPreTokenizer(PreTokenizer.code())
                .optSpecialTokens(SpecialTokens.codeDefaults())
                .optThreads(1)
                .build();
    }

    /** Single-threaded encoding of the whole corpus. */
    @Benchmark
    public long encode() {
        long n = 0;
        for (String t : texts) {
            n += tokenizer.encode(t).length;
        }
        return n;
    }

    /** Parallel batch encoding of the whole corpus. */
    @Benchmark
    public long encodeBatch() {
        long n = 0;
        for (int[] ids : tokenizer.encodeBatch(texts)) {
            n += ids.length;
        }
        return n;
    }

    /** The trainer's merge loop alone, from precomputed word counts. */
    @Benchmark
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    public BpeTokenizer mergeLoop() {
        return trainer().trainFromCounts(wordCounts);
    }

    /** Training on the corpus (one counting thread): word counting plus the merge loop. */
    @Benchmark
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    public BpeTokenizer train() {
        return trainer().trainTexts(texts);
    }
}
