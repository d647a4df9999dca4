package dev.kiln.bench;

import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.PreTokenizer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.hf.HfTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * Side-by-side measurements used by {@code benchmarks/compare/tokenizer-train.sh}.
 *
 * <pre>
 * train  TRAIN_DIR VOCAB OUT_JSON          train like HF's default BpeTrainer (no specials, min frequency 1)
 * train-lines TRAIN_DIR VOCAB OUT_JSON     the same, but on each line (with its newline) as HF's trainer reads files
 * count  TOKENIZER_JSON DIR                tokens and bytes of DIR's files with Kiln's encoder
 * encode TOKENIZER_JSON DIR...             encoding throughput: Kiln vs DJL's HF binding, single and batched
 * </pre>
 */
@Command(
        name = "TokenizerCompare",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        description = "Kiln's side of benchmarks/compare/tokenizer-train.sh.")
public final class TokenizerCompare {

    private TokenizerCompare() {}

    public static void main(String[] args) {
        BenchCli.run(new TokenizerCompare(), args);
    }

    @Command(name = "train", description = "Trains BPE like HF's default BpeTrainer (no specials, min frequency 1).")
    void trainCommand(
            @Parameters(paramLabel = "TRAIN_DIR") Path dir,
            @Parameters(paramLabel = "VOCAB") int vocab,
            @Parameters(paramLabel = "OUT_JSON") Path out)
            throws IOException {
        train(dir, vocab, out);
    }

    @Command(
            name = "train-lines",
            description = "As train, on each line (with its newline), as HF's trainer reads files.")
    void trainLinesCommand(
            @Parameters(paramLabel = "TRAIN_DIR") Path dir,
            @Parameters(paramLabel = "VOCAB") int vocab,
            @Parameters(paramLabel = "OUT_JSON") Path out)
            throws IOException {
        trainLines(dir, vocab, out);
    }

    @Command(name = "count", description = "Tokens and bytes of DIR's files with Kiln's encoder.")
    void countCommand(@Parameters(paramLabel = "TOKENIZER_JSON") Path json, @Parameters(paramLabel = "DIR") Path dir)
            throws IOException {
        count(json, dir);
    }

    @Command(name = "encode", description = "Encoding throughput: Kiln vs DJL's HF binding, single and batched.")
    void encodeCommand(
            @Parameters(index = "0", paramLabel = "TOKENIZER_JSON") Path json,
            @Parameters(index = "1..*", arity = "1..*", paramLabel = "DIR") List<Path> dirs)
            throws Exception {
        encode(json, dirs);
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    static List<String> texts(List<Path> files) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            out.add(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** BPE as Hugging Face's default BpeTrainer: no specials, min frequency 1 (code pre-tokenizer). */
    static BpeTrainer hfDefaults(int vocab) {
        return BpeTrainer.builder()
                .setVocabSize(vocab)
                .optMinFrequency(1)
                .optPreTokenizer(PreTokenizer.code())
                .optSpecialTokens(SpecialTokens.none())
                .build();
    }

    static void train(Path dir, int vocab, Path out) throws IOException {
        List<Path> files = files(dir);
        long t0 = System.nanoTime();
        BpeTokenizer tok = hfDefaults(vocab).trainFiles(files);
        double s = (System.nanoTime() - t0) / 1e9;
        tok.save(out);
        System.out.printf("kiln_train_seconds=%.2f vocab=%d merges=%d%n", s, tok.vocabSize(), tok.mergeCount());
    }

    static void trainLines(Path dir, int vocab, Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String t : texts(files(dir))) {
            int p = 0;
            while (p < t.length()) {
                int q = t.indexOf('\n', p);
                q = q < 0 ? t.length() : q + 1;
                lines.add(t.substring(p, q));
                p = q;
            }
        }
        long t0 = System.nanoTime();
        BpeTokenizer tok = hfDefaults(vocab).trainTexts(lines);
        double s = (System.nanoTime() - t0) / 1e9;
        tok.save(out);
        System.out.printf("kiln_train_lines_seconds=%.2f vocab=%d merges=%d%n", s, tok.vocabSize(), tok.mergeCount());
    }

    static void count(Path json, Path dir) throws IOException {
        BpeTokenizer tok = BpeTokenizer.load(json);
        long tokens = 0;
        long bytes = 0;
        for (String t : texts(files(dir))) {
            tokens += tok.encode(t).length;
            bytes += t.getBytes(StandardCharsets.UTF_8).length;
        }
        System.out.printf("kiln_tokens=%d bytes=%d bytes_per_token=%.4f%n", tokens, bytes, (double) bytes / tokens);
    }

    static void encode(Path json, List<Path> dirs) throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            files.addAll(files(dir));
        }
        List<String> texts = texts(files);
        long bytes = 0;
        for (String t : texts) {
            bytes += t.getBytes(StandardCharsets.UTF_8).length;
        }
        System.out.printf("corpus: %d files, %.1f MB%n", texts.size(), bytes / 1e6);
        BpeTokenizer kiln = BpeTokenizer.load(json);
        try (HfTokenizer hf = HfTokenizer.load(json)) {
            // warm up both on a slice
            List<String> warm = texts.subList(0, Math.min(200, texts.size()));
            for (String t : warm) {
                kiln.encode(t);
                hf.encode(t);
            }
            BpeTokenizer fresh = BpeTokenizer.load(json); // cold cache for the hit-rate figure
            long tokens = 0;
            long t0 = System.nanoTime();
            for (String t : texts) {
                tokens += fresh.encode(t).length;
            }
            double kilnSingle = (System.nanoTime() - t0) / 1e9;
            System.out.printf("kiln cache hit rate (cold start, one pass): %.3f%n", fresh.cacheHitRate());
            t0 = System.nanoTime();
            long hfTokens = 0;
            for (String t : texts) {
                hfTokens += hf.encode(t).length;
            }
            double hfSingle = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long kb = 0;
            for (int[] ids : kiln.encodeBatch(texts)) {
                kb += ids.length;
            }
            double kilnBatch = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long hb = 0;
            for (int from = 0; from < texts.size(); from += 256) {
                for (int[] ids : hf.encodeBatch(texts.subList(from, Math.min(texts.size(), from + 256)))) {
                    hb += ids.length;
                }
            }
            double hfBatch = (System.nanoTime() - t0) / 1e9;
            if (tokens != hfTokens || kb != hb) {
                System.out.printf("WARNING: token counts differ: kiln %d/%d, hf %d/%d%n", tokens, kb, hfTokens, hb);
            }
            System.out.printf("tokens=%d%n", tokens);
            System.out.printf(
                    "single: kiln %.2f s (%.2f M tok/s)  hf(djl) %.2f s (%.2f M tok/s)  ratio %.2fx%n",
                    kilnSingle, tokens / kilnSingle / 1e6, hfSingle, tokens / hfSingle / 1e6, hfSingle / kilnSingle);
            System.out.printf(
                    "batch:  kiln %.2f s (%.2f M tok/s)  hf(djl) %.2f s (%.2f M tok/s)  ratio %.2fx%n",
                    kilnBatch, kb / kilnBatch / 1e6, hfBatch, hb / hfBatch / 1e6, hfBatch / kilnBatch);
            System.out.printf("kiln cache hit rate (all passes): %.3f%n", kiln.cacheHitRate());
        }
    }
}
