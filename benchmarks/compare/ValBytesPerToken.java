import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.shard.TokenDataset;
import java.nio.file.Path;

/**
 * Text bytes per predicted token of a shards directory's validation split (special tokens such as
 * FIM sentinels count no bytes), as the quickstart turns validation loss into bits per byte.
 * Run as a single-file program: {@code java -cp "examples/target/lib/*" ValBytesPerToken.java
 * TOKENIZER_JSON SHARDS_DIR}.
 */
public class ValBytesPerToken {
    public static void main(String[] args) throws Exception {
        BpeTokenizer tok = BpeTokenizer.load(Path.of(args[0]));
        long bytes = 0;
        long tokens = 0;
        try (TokenDataset val = TokenDataset.open(Path.of(args[1]), "val", tok)) {
            int[] row = new int[val.rowLength()];
            for (long i = 0; i < val.size(); i++) {
                val.read(i, row);
                for (int j = 1; j < row.length; j++) {
                    tokens++;
                    if (!tok.isSpecial(row[j])) {
                        bytes += tok.tokenBytes(row[j]).length;
                    }
                }
            }
        }
        System.out.println((double) bytes / tokens);
    }
}
