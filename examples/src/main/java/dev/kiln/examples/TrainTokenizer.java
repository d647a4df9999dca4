package dev.kiln.examples;

import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Trains a byte-level BPE tokenizer on source files and saves it as a Hugging Face {@code
 * tokenizer.json} (loadable by {@code tokenizers} and DJL), then encodes and decodes a line.
 *
 * <pre>
 * java -cp 'examples/target/kiln-cli.jar:examples/target/lib/*' dev.kiln.examples.TrainTokenizer \
 *     tokenizer.json 8192 src/main/java other/dir
 * </pre>
 */
public final class TrainTokenizer {

    private TrainTokenizer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TrainTokenizer OUTPUT.json VOCAB_SIZE INPUT...");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        List<Path> inputs = Arrays.stream(args, 2, args.length).map(Path::of).collect(Collectors.toList());

        BpeTokenizer tokenizer = BpeTrainer.builder()
                .setVocabSize(Integer.parseInt(args[1]))
                .optMinFrequency(2)
                .build()
                .trainFiles(inputs); // text files and directories (walked), streamed
        tokenizer.save(output);

        String line = "public static int max(int a, int b) { return a > b ? a : b; }";
        int[] ids = tokenizer.encode(line);
        System.out.printf(
                "%s: %d ids, %d merges; %d chars -> %d tokens; round trip %s%n",
                output,
                tokenizer.vocabSize(),
                tokenizer.mergeCount(),
                line.length(),
                ids.length,
                tokenizer.decode(ids).equals(line) ? "ok" : "FAILED");
    }
}
