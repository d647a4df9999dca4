package dev.kiln.tokenize;

import dev.kiln.core.hash.Sha256;
import dev.kiln.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Kiln's byte-level BPE tokenizer: 256 byte tokens (nothing is ever unknown), merges, special
 * tokens. Trained by {@link BpeTrainer}, saved and loaded as Hugging Face {@code tokenizer.json}
 * (so Hugging Face's libraries and DJL's binding produce exactly the same ids).
 *
 * <pre>{@code
 * BpeTokenizer tok = BpeTokenizer.load(Path.of("tokenizer.json"));
 * int[] ids = tok.encode("def add(a, b):\n    return a + b<|endoftext|>");
 * String text = tok.decode(ids);
 * List<int[]> batch = tok.encodeBatch(List.of("x = 1", "y = 2"));    // parallel
 * }</pre>
 *
 * <h2>Encoding</h2>
 *
 * Text is first split on special tokens (leftmost, longest match), then each remaining part is
 * pre-tokenized ({@link PreTokenizer}) and each piece's UTF-8 bytes are merged by rank: the
 * lowest-rank adjacent pair first, the leftmost one among equals (Hugging Face's and tiktoken's
 * rule). Pieces of up to 64 bytes use a small quadratic loop over reused arrays; longer ones a
 * heap over a linked list, so a megabyte of one repeated character costs O(n log n), never O(n²).
 * Frequent pieces hit a bounded, per-thread cache. Nothing is allocated per token: buffers are
 * per thread and reused; only the returned array (and a cache entry on a miss) is allocated.
 *
 * <p><b>Special tokens.</b> {@link #encode(CharSequence)} encodes special-token strings found in
 * the text as the special token (Hugging Face's behaviour). {@link #encodeOrdinary(CharSequence)}
 * treats them as plain text (use it for untrusted data, e.g. training documents), and {@link
 * #encode(CharSequence, Set, Set)} takes allowed and disallowed sets as tiktoken does.
 *
 * <p><b>Loaded files</b> are encoded exactly as Hugging Face's library does (the pipeline of its
 * {@code encode(text)}): {@link AddedToken added tokens} that are not {@code normalized} are cut
 * out of the raw text first (with their {@code single_word}, {@code lstrip}, {@code rstrip}
 * flags), each remaining piece goes through the {@code normalizer} (if any) and is split on the
 * {@code normalized} added tokens, the rest is pre-tokenized and merged; the {@code
 * post_processor}'s tokens (e.g. a BOS template) are added by {@link #encode(CharSequence)} and
 * {@link #encode(CharSequence, boolean)} with {@code true}. Non-special added tokens are text:
 * {@link #isSpecial} is false for them and {@link #encodeOrdinary} still matches them. Features
 * of a file that Kiln does not implement are rejected when it is read, never ignored.
 *
 * <p><b>Invalid UTF-16.</b> A lone surrogate is encoded as U+FFFD (bytes {@code EF BF BD}), never
 * an exception; Hugging Face does the same when Java strings cross into Rust.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BpeTokenizer implements Tokenizer {

    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final AddedVocabulary added;
    private final HfPostProcessor postProcessor;
    private final AddedVocabulary.Ordinary ordinary = this::encodeOrdinary;
    private final ThreadLocal<EncodeState> state;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private volatile String hash;

    /**
     * @param tokenBytes bytes of each id (an added token's UTF-8 text; {@code null} for an unused id)
     * @param mergeLeft left id of each merge, in rank order
     * @param mergeRight right id of each merge
     * @param mergeResult id each merge produces
     * @param addedTokens added tokens (special or not) with their flags, in id order; their bytes are
     *     in {@code tokenBytes}
     * @param normalizer null for none
     * @param postProcessor null for none
     */
    BpeTokenizer(
            PreTokenizer preTokenizer,
            byte[][] tokenBytes,
            int[] mergeLeft,
            int[] mergeRight,
            int[] mergeResult,
            List<AddedToken> addedTokens,
            HfNormalizer normalizer,
            HfPostProcessor postProcessor) {
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        this.added = new AddedVocabulary(addedTokens, normalizer, tokenBytes.length);
        this.model = new BpeModel(tokenBytes, mergeLeft, mergeRight, mergeResult, added);
        this.postProcessor = postProcessor;
        this.state = ThreadLocal.withInitial(EncodeState::new);
    }

    /**
     * Reads a Hugging Face {@code tokenizer.json} of a byte-level BPE model (Kiln's own, GPT-2's,
     * StarCoder's ...).
     *
     * @throws dev.kiln.core.CorruptArtifactException when the file is malformed or uses a model,
     *     normalizer or pre-tokenizer Kiln does not implement (named in the message)
     */
    public static BpeTokenizer load(Path tokenizerJson) throws IOException {
        return HfTokenizerJson.read(tokenizerJson);
    }

    /** Writes this tokenizer as a Hugging Face {@code tokenizer.json} (atomically). */
    public void save(Path tokenizerJson) throws IOException {
        HfTokenizerJson.write(this, tokenizerJson);
    }

    /**
     * Encodes {@code text} as Hugging Face's {@code encode(text)} does: added-token strings in it
     * become their tokens, and the post-processor's tokens (e.g. a BOS template) are added.
     */
    @Override
    public int[] encode(CharSequence text) {
        return encode(text, AddedVocabulary.SpecialMode.ALL, true);
    }

    /**
     * Encodes {@code text}; {@code addSpecialTokens} as Hugging Face's flag: whether the
     * post-processor's tokens (BOS/EOS templates) are added. Special-token strings in the text become
     * special tokens either way.
     */
    public int[] encode(CharSequence text, boolean addSpecialTokens) {
        return encode(text, AddedVocabulary.SpecialMode.ALL, addSpecialTokens);
    }

    /**
     * Encodes {@code text} treating special-token strings as plain text (for untrusted data, e.g.
     * training documents); no post-processor tokens. Non-special added tokens still match, as with
     * Hugging Face's {@code encode_special_tokens}.
     */
    public int[] encodeOrdinary(CharSequence text) {
        return encode(text, AddedVocabulary.SpecialMode.NONE, false);
    }

    /**
     * Encodes {@code text} as tiktoken does: special tokens in {@code allowedSpecial} become
     * special ids, those in {@code disallowedSpecial} are an error, the rest are plain text.
     *
     * @throws IllegalArgumentException when the text contains a disallowed special token
     */
    public int[] encode(CharSequence text, Set<String> allowedSpecial, Set<String> disallowedSpecial) {
        for (String s : allowedSpecial) {
            if (!added.specials().containsKey(s)) {
                throw new IllegalArgumentException("'" + s + "' is not a special token of this tokenizer: "
                        + added.specials().keySet());
            }
        }
        return encode(
                text,
                new AddedVocabulary.SpecialMode(new HashSet<>(allowedSpecial), new HashSet<>(disallowedSpecial)),
                false);
    }

    /** Encodes every text, in parallel on the common fork-join pool; results in input order. */
    public List<int[]> encodeBatch(List<? extends CharSequence> texts) {
        int[][] out = new int[texts.size()][];
        IntStream.range(0, texts.size()).parallel().forEach(i -> out[i] = encode(texts.get(i)));
        return Arrays.asList(out);
    }

    /**
     * Ids (as {@link #encode(CharSequence)}) with the character span {@code [start, end)} of {@code
     * text} each token came from; post-processor tokens have an empty span.
     *
     * @throws IllegalStateException when the tokenizer has a normalizer (spans would refer to the
     *     normalized text)
     */
    public Encoding encodeWithOffsets(CharSequence text) {
        if (added.normalizer() != null) {
            throw new IllegalStateException("encodeWithOffsets is not available with a normalizer ("
                    + added.normalizer() + "): spans would refer to" + " the normalized text");
        }
        EncodeState st = state.get();
        st.offsets = true;
        try {
            int[] ids = encode(text, AddedVocabulary.SpecialMode.ALL, true);
            return new Encoding(ids, Arrays.copyOf(st.starts, ids.length), Arrays.copyOf(st.ends, ids.length));
        } finally {
            st.offsets = false;
        }
    }

    /** Token ids and their character offsets in the encoded text. */
    public static final class Encoding {
        private final int[] ids;
        private final int[] starts;
        private final int[] ends;

        Encoding(int[] ids, int[] starts, int[] ends) {
            this.ids = ids;
            this.starts = starts;
            this.ends = ends;
        }

        /** The token ids (a copy). */
        public int[] ids() {
            return ids.clone();
        }

        /** Start (inclusive, in chars) of token {@code i}. */
        public int start(int i) {
            return starts[i];
        }

        /** End (exclusive, in chars) of token {@code i}. */
        public int end(int i) {
            return ends[i];
        }

        /** The number of tokens. */
        public int size() {
            return ids.length;
        }
    }

    private int[] encode(CharSequence text, AddedVocabulary.SpecialMode mode, boolean addSpecialTokens) {
        EncodeState st = state.get();
        int n = text.length();
        char[] cs = st.chars(n);
        if (text instanceof String) {
            ((String) text).getChars(0, n, cs, 0);
        } else {
            for (int i = 0; i < n; i++) {
                cs[i] = text.charAt(i);
            }
        }
        st.outLen = 0;
        st.hits = 0;
        st.misses = 0;
        if (addSpecialTokens && postProcessor != null) {
            for (int id : postProcessor.prefix()) {
                st.emit(id, 0, 0);
            }
        }
        added.encode(st, cs, n, mode, ordinary);
        if (addSpecialTokens && postProcessor != null) {
            for (int id : postProcessor.suffix()) {
                st.emit(id, n, n);
            }
        }
        cacheHits.add(st.hits);
        cacheMisses.add(st.misses);
        int[] out = Arrays.copyOf(st.out, st.outLen);
        if (st.chars.length > (1 << 22)) {
            st.shrink();
        }
        return out;
    }

    private void encodeOrdinary(EncodeState st, char[] cs, int from, int to) {
        if (from >= to) {
            return;
        }
        CharArrayView view = st.view.reset(cs, to);
        int p = from;
        while (p < to) {
            int q = preTokenizer.next(view, p, to);
            model.encodePiece(st, cs, p, q);
            p = q;
        }
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        if (from < 0 || to > ids.length || from > to) {
            throw new IllegalArgumentException(
                    "range [" + from + ", " + to + ") is outside the " + ids.length + " ids");
        }
        int total = 0;
        for (int i = from; i < to; i++) {
            total += model.bytesOf(ids[i]).length;
        }
        byte[] out = new byte[total];
        int o = 0;
        for (int i = from; i < to; i++) {
            byte[] b = model.tokenBytes[ids[i]];
            System.arraycopy(b, 0, out, o, b.length);
            o += b.length;
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return model.bytesOf(id).clone();
    }

    @Override
    public int vocabSize() {
        return model.tokenBytes.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return added.specials();
    }

    @Override
    public boolean isSpecial(int id) {
        return added.isSpecial(id);
    }

    /**
     * The added tokens (special or not) with their flags, in id order. {@link #specialTokens()} has
     * the special ones.
     */
    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    /** Ids the post-processor puts before the text when special tokens are added (e.g. BOS); may be empty. */
    public int[] prefixIds() {
        return postProcessor == null ? new int[0] : postProcessor.prefix().clone();
    }

    /** Ids the post-processor puts after the text when special tokens are added (e.g. EOS); may be empty. */
    public int[] suffixIds() {
        return postProcessor == null ? new int[0] : postProcessor.suffix().clone();
    }

    HfNormalizer normalizer() {
        return added.normalizer();
    }

    HfPostProcessor postProcessor() {
        return postProcessor;
    }

    /** The pre-tokenizer pieces are split with. */
    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** Number of merges. */
    public int mergeCount() {
        return model.mergeLeft.length;
    }

    /** The ids merged by merge {@code rank} ({@code [left, right, result]}). */
    public int[] merge(int rank) {
        return new int[] {model.mergeLeft[rank], model.mergeRight[rank], model.mergeResult[rank]};
    }

    /** Cache hits and misses of all encode calls so far (pieces, all threads). */
    public long[] cacheStats() {
        return new long[] {cacheHits.sum(), cacheMisses.sum()};
    }

    /** Fraction of pieces served from the cache so far. */
    public double cacheHitRate() {
        long h = cacheHits.sum();
        long t = h + cacheMisses.sum();
        return t == 0 ? 0 : (double) h / t;
    }

    /** Merge-loop operations of the calling thread so far (tests bound the work on adversarial input). */
    long operations() {
        return state.get().ops;
    }

    /**
     * SHA-256 (hex) of what determines the ids: pre-tokenizer, every token's bytes, which tokens
     * are special, and the merges in rank order. Shards record it to detect a tokenizer mismatch.
     */
    public String hash() {
        String h = hash;
        if (h == null) {
            MessageDigest md = Sha256.newDigest();
            md.update(("kiln-bpe-1\n" + preTokenizer.name() + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[12];
            byte[][] tokenBytes = model.tokenBytes;
            for (int id = 0; id < tokenBytes.length; id++) {
                byte[] b = tokenBytes[id];
                putInt(buf, 0, b == null ? -1 : b.length);
                putInt(buf, 4, added.isSpecial(id) ? 1 : 0);
                md.update(buf, 0, 8);
                if (b != null) {
                    md.update(b);
                }
            }
            for (int r = 0; r < model.mergeLeft.length; r++) {
                putInt(buf, 0, model.mergeLeft[r]);
                putInt(buf, 4, model.mergeRight[r]);
                putInt(buf, 8, model.mergeResult[r]);
                md.update(buf);
            }
            // what else changes ids (absent from Kiln-trained tokenizers, whose hash stays as it was)
            StringBuilder extra = new StringBuilder();
            for (AddedToken t : added.tokens()) {
                if (!t.isPlainSpecial()) {
                    extra.append(t).append('\n');
                }
            }
            if (added.normalizer() != null) {
                extra.append("normalizer ").append(added.normalizer().json()).append('\n');
            }
            if (postProcessor != null) {
                extra.append("post_processor ").append(postProcessor.json()).append('\n');
            }
            md.update(extra.toString().getBytes(StandardCharsets.UTF_8));
            h = Sha256.hex(md);
            hash = h;
        }
        return h;
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    byte[] rawTokenBytes(int id) {
        return model.tokenBytes[id];
    }

    @Override
    public String toString() {
        return "BpeTokenizer[vocab=" + vocabSize() + ", merges=" + mergeCount() + ", pre=" + preTokenizer.name()
                + ", specials=" + added.specials().keySet()
                + (added.tokens().size() > added.specials().size()
                        ? ", added=" + (added.tokens().size() - added.specials().size())
                        : "")
                + (added.normalizer() != null ? ", normalizer" : "")
                + (postProcessor != null ? ", post_processor" : "")
                + "]";
    }
}
