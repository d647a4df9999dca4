package dev.kiln.tokenize.shard;

import dev.kiln.core.Document;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one document becomes in {@link TokenShardWriter}'s token stream: the metadata prefix, the
 * content (or its fill-in-the-middle transformation, drawn from a generator seeded by the
 * document's index), then {@code <|endoftext|>}. Immutable.
 */
final class DocumentTokens {

    private final BpeTokenizer tokenizer;
    private final double fimRate;
    private final FimMode fimMode;
    private final boolean metadataPrefix;
    private final long seed;

    DocumentTokens(BpeTokenizer tokenizer, double fimRate, FimMode fimMode, boolean metadataPrefix, long seed) {
        this.tokenizer = tokenizer;
        this.fimRate = fimRate;
        this.fimMode = fimMode;
        this.metadataPrefix = metadataPrefix;
        this.seed = seed;
    }

    private int special(String name) {
        return tokenizer
                .specialTokenId(name)
                .orElseThrow(() -> new IllegalArgumentException("the tokenizer has no " + name
                        + " token (special tokens: " + tokenizer.specialTokens().keySet() + ")"));
    }

    /** Tokens of one document, FIM and metadata applied, ending with {@code <|endoftext|>}. */
    int[] tokens(Document d, long index) {
        int eot = special(Tokenizer.END_OF_TEXT);
        List<int[]> parts = new ArrayList<>(8);
        if (metadataPrefix) {
            d.get(Document.REPOSITORY).ifPresent(repo -> {
                parts.add(new int[] {special("<reponame>")});
                parts.add(tokenizer.encodeOrdinary(repo));
            });
            if (!d.path().isEmpty()) {
                parts.add(new int[] {special("<filename>")});
                parts.add(tokenizer.encodeOrdinary(d.path() + "\n"));
            }
        }
        String text = d.content();
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        if (fimRate > 0 && text.length() >= 2 && rnd.nextDouble() < fimRate) {
            int a = boundary(text, rnd.nextInt(text.length() + 1));
            int b = boundary(text, rnd.nextInt(text.length() + 1));
            int lo = Math.min(a, b);
            int hi = Math.max(a, b);
            int[] prefix = tokenizer.encodeOrdinary(text.substring(0, lo));
            int[] middle = tokenizer.encodeOrdinary(text.substring(lo, hi));
            int[] suffix = tokenizer.encodeOrdinary(text.substring(hi));
            boolean spm = fimMode == FimMode.SPM || (fimMode == FimMode.BOTH && rnd.nextBoolean());
            int pre = special(Tokenizer.FIM_PREFIX);
            int suf = special(Tokenizer.FIM_SUFFIX);
            int mid = special(Tokenizer.FIM_MIDDLE);
            if (spm) {
                parts.add(new int[] {pre, suf});
                parts.add(suffix);
                parts.add(new int[] {mid});
                parts.add(prefix);
                parts.add(middle);
            } else {
                parts.add(new int[] {pre});
                parts.add(prefix);
                parts.add(new int[] {suf});
                parts.add(suffix);
                parts.add(new int[] {mid});
                parts.add(middle);
            }
        } else {
            parts.add(tokenizer.encodeOrdinary(text));
        }
        parts.add(new int[] {eot});
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static int boundary(String s, int i) {
        return i > 0
                        && i < s.length()
                        && Character.isLowSurrogate(s.charAt(i))
                        && Character.isHighSurrogate(s.charAt(i - 1))
                ? i - 1
                : i;
    }
}
