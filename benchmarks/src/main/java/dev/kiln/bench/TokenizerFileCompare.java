package dev.kiln.bench;

import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.SpecialTokens;
import dev.kiln.tokenize.TokenizerFiles;
import dev.kiln.tokenize.UnigramTokenizer;
import dev.kiln.tokenize.UnigramTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * Side-by-side measurements on one large text file, used by {@code
 * benchmarks/compare/tokenizer-file.sh} (the npm {@code tokenizers} side is {@code hf-file.js}).
 *
 * <pre>
 * train-bpe FILE VOCAB OUT_JSON       BPE from one text file (no specials, min frequency 1, as HF's default trainer)
 * train-unigram FILE VOCAB OUT_JSON   Unigram from one text file (no specials)
 * encode TOKENIZER_JSON FILE ROUNDS   tokens/s of encodeBatch over chunks of 200 lines (median of ROUNDS), and an id checksum
 * count-lines TOKENIZER_JSON FILE     tokens of every line without its newline (as spm_encode counts), id checksum
 * </pre>
 */
@Command(
        name = "TokenizerFileCompare",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        description = "Kiln's side of benchmarks/compare/tokenizer-file.sh.")
public final class TokenizerFileCompare {

    private TokenizerFileCompare() {}

    public static void main(String[] args) {
        BenchCli.run(new TokenizerFileCompare(), args);
    }

    @Command(
            name = "train-bpe",
            description = "BPE from one text file (no specials, min frequency 1, as HF's default trainer).")
    void trainBpe(
            @Parameters(paramLabel = "FILE") Path file,
            @Parameters(paramLabel = "VOCAB") int vocab,
            @Parameters(paramLabel = "OUT_JSON") Path out)
            throws IOException {
        long t0 = System.nanoTime();
        BpeTokenizer tok = BpeTrainer.builder()
                .setVocabSize(vocab)
                .optMinFrequency(1)
                .optSpecialTokens(SpecialTokens.none())
                .build()
                .trainFiles(List.of(file));
        double s = (System.nanoTime() - t0) / 1e9;
        tok.save(out);
        System.out.printf("kiln_train_seconds=%.2f vocab=%d%n", s, tok.vocabSize());
    }

    @Command(name = "train-unigram", description = "Unigram from one text file (no specials).")
    void trainUnigram(
            @Parameters(paramLabel = "FILE") Path file,
            @Parameters(paramLabel = "VOCAB") int vocab,
            @Parameters(paramLabel = "OUT_JSON") Path out)
            throws IOException {
        long t0 = System.nanoTime();
        UnigramTokenizer tok = UnigramTrainer.builder()
                .setVocabSize(vocab)
                .optSpecialTokens(SpecialTokens.none())
                .build()
                .trainFiles(List.of(file));
        double s = (System.nanoTime() - t0) / 1e9;
        tok.save(out);
        System.out.printf("kiln_unigram_train_seconds=%.2f vocab=%d%n", s, tok.vocabSize());
    }

    @Command(
            name = "encode",
            description = "Tokens/s of encodeBatch over chunks of 200 lines (median of ROUNDS), and an id checksum.")
    void encodeCommand(
            @Parameters(paramLabel = "TOKENIZER_JSON") Path json,
            @Parameters(paramLabel = "FILE") Path file,
            @Parameters(paramLabel = "ROUNDS") int rounds)
            throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("ROUNDS must be >= 1, got " + rounds);
        }
        encode(json, file, rounds);
    }

    @Command(
            name = "count-lines",
            description = "Tokens of every line without its newline (as spm_encode counts), and an id checksum.")
    void countLines(@Parameters(paramLabel = "TOKENIZER_JSON") Path json, @Parameters(paramLabel = "FILE") Path file)
            throws IOException {
        Tokenizer tok = TokenizerFiles.load(json);
        long tokens = 0;
        long checksum = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            for (int id : tok.encode(line)) {
                checksum = checksum * 31 + id;
                tokens++;
            }
        }
        System.out.printf("kiln_line_tokens=%d checksum=%d%n", tokens, checksum);
    }

    /** The file as chunks of 200 lines, each line with its newline (hf-file.js cuts the same way). */
    static List<String> chunks(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        int lines = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && ++lines == 200) {
                out.add(text.substring(start, i + 1));
                start = i + 1;
                lines = 0;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    static void encode(Path json, Path file, int rounds) throws Exception {
        BpeTokenizer tok = BpeTokenizer.load(json);
        List<String> chunks = chunks(file);
        double[] rate = new double[rounds];
        long tokens = 0;
        long checksum = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            List<int[]> ids = tok.encodeBatch(chunks);
            double s = (System.nanoTime() - t0) / 1e9;
            tokens = 0;
            checksum = 0;
            for (int[] a : ids) {
                for (int id : a) {
                    checksum = checksum * 31 + id;
                }
                tokens += a.length;
            }
            rate[r] = tokens / s;
        }
        Arrays.sort(rate);
        System.out.printf(
                "kiln_tokens=%d checksum=%d kiln_tokens_per_s=%.0f (median of %d; rounds %s)%n",
                tokens, checksum, rate[rounds / 2], rounds, Arrays.toString(rate));
    }
}
