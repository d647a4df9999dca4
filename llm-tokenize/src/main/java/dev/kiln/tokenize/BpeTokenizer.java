package dev.kiln.tokenize;

import dev.kiln.core.model.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * <p><b>Invalid UTF-16.</b> A lone surrogate is encoded as U+FFFD (bytes {@code EF BF BD}), never
 * an exception; Hugging Face does the same when Java strings cross into Rust.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BpeTokenizer implements Tokenizer {

    /** Pieces up to this many UTF-8 bytes use the quadratic merge loop, longer ones the heap. */
    static final int SMALL_PIECE = 64;
    /** Pieces up to this many chars are cached. */
    static final int CACHE_MAX_CHARS = 48;
    /** Cache slots per thread (direct-mapped). */
    static final int CACHE_SLOTS = 1 << 15;

    private final PreTokenizer preTokenizer;
    private final byte[][] tokenBytes;
    private final int[] byteToId;
    private final int[] mergeLeft;
    private final int[] mergeRight;
    private final int[] mergeResult;
    private final PairTable pairs;
    private final Map<String, Integer> specials;
    private final String[] specialTexts; // longest first
    private final int[] specialIdsByLength;
    private final boolean[] special;
    private final long[] specialFirstChars = new long[1024];
    private final ThreadLocal<EncodeState> state;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private volatile String hash;

    /**
     * @param tokenBytes bytes of each id (a special token's UTF-8 text; {@code null} for an unused id)
     * @param mergeLeft left id of each merge, in rank order
     * @param mergeRight right id of each merge
     * @param mergeResult id each merge produces
     * @param specialTokens special token text to id, in id order
     */
    BpeTokenizer(
            PreTokenizer preTokenizer,
            byte[][] tokenBytes,
            int[] mergeLeft,
            int[] mergeRight,
            int[] mergeResult,
            Map<String, Integer> specialTokens) {
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        this.tokenBytes = tokenBytes;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeResult = mergeResult;
        this.pairs = new PairTable(mergeLeft, mergeRight);
        this.special = new boolean[tokenBytes.length];
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        List<Map.Entry<String, Integer>> bySize = new ArrayList<>(specials.entrySet());
        bySize.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
        this.specialTexts = new String[bySize.size()];
        this.specialIdsByLength = new int[bySize.size()];
        for (int i = 0; i < bySize.size(); i++) {
            specialTexts[i] = bySize.get(i).getKey();
            specialIdsByLength[i] = bySize.get(i).getValue();
            special[specialIdsByLength[i]] = true;
            char c = specialTexts[i].charAt(0);
            specialFirstChars[c >>> 6] |= 1L << (c & 63);
        }
        // the id of each single byte; a byte-level vocabulary has all 256, a loaded one may lack some (-1)
        this.byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] b = tokenBytes[id];
            if (b != null && b.length == 1 && !special[id] && byteToId[b[0] & 0xFF] < 0) {
                byteToId[b[0] & 0xFF] = id;
            }
        }
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

    /** Encodes {@code text}; special-token strings in it become special tokens. */
    @Override
    public int[] encode(CharSequence text) {
        return encode(text, SpecialMode.ALL);
    }

    /** Encodes {@code text} treating special-token strings as plain text (for untrusted data). */
    public int[] encodeOrdinary(CharSequence text) {
        return encode(text, SpecialMode.NONE);
    }

    /**
     * Encodes {@code text} as tiktoken does: special tokens in {@code allowedSpecial} become
     * special ids, those in {@code disallowedSpecial} are an error, the rest are plain text.
     *
     * @throws IllegalArgumentException when the text contains a disallowed special token
     */
    public int[] encode(CharSequence text, Set<String> allowedSpecial, Set<String> disallowedSpecial) {
        for (String s : allowedSpecial) {
            if (!specials.containsKey(s)) {
                throw new IllegalArgumentException(
                        "'" + s + "' is not a special token of this tokenizer: " + specials.keySet());
            }
        }
        return encode(text, new SpecialMode(new HashSet<>(allowedSpecial), new HashSet<>(disallowedSpecial)));
    }

    /** Encodes every text, in parallel on the common fork-join pool; results in input order. */
    public List<int[]> encodeBatch(List<? extends CharSequence> texts) {
        int[][] out = new int[texts.size()][];
        IntStream.range(0, texts.size()).parallel().forEach(i -> out[i] = encode(texts.get(i)));
        return Arrays.asList(out);
    }

    /** Ids with the character span {@code [start, end)} of {@code text} each token came from. */
    public Encoding encodeWithOffsets(CharSequence text) {
        EncodeState st = state.get();
        st.offsets = true;
        try {
            int[] ids = encode(text, SpecialMode.ALL);
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

        public int size() {
            return ids.length;
        }
    }

    private static final class SpecialMode {
        static final SpecialMode ALL = new SpecialMode(null, Set.of());
        static final SpecialMode NONE = new SpecialMode(Set.of(), Set.of());
        final Set<String> allowed; // null = all
        final Set<String> disallowed;

        SpecialMode(Set<String> allowed, Set<String> disallowed) {
            this.allowed = allowed;
            this.disallowed = disallowed;
        }
    }

    private int[] encode(CharSequence text, SpecialMode mode) {
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
        boolean scan = specialTexts.length > 0
                && !(mode.allowed != null && mode.allowed.isEmpty() && mode.disallowed.isEmpty());
        int segment = 0;
        if (scan) {
            for (int i = 0; i < n; i++) {
                char c = cs[i];
                if ((specialFirstChars[c >>> 6] & (1L << (c & 63))) == 0) {
                    continue;
                }
                int s = matchSpecial(cs, i, n);
                if (s < 0) {
                    continue;
                }
                String t = specialTexts[s];
                if (mode.allowed == null || mode.allowed.contains(t)) {
                    encodeOrdinary(st, cs, segment, i);
                    st.emit(specialIdsByLength[s], i, i + t.length());
                    i += t.length() - 1;
                    segment = i + 1;
                } else if (mode.disallowed.contains(t)) {
                    throw new IllegalArgumentException("text contains the disallowed special token '" + t + "' at char "
                            + i + "; allow it, or encode it as plain text with encodeOrdinary");
                }
            }
        }
        encodeOrdinary(st, cs, segment, n);
        cacheHits.add(st.hits);
        cacheMisses.add(st.misses);
        if (st.chars.length > (1 << 22)) {
            st.shrink();
        }
        return Arrays.copyOf(st.out, st.outLen);
    }

    private int matchSpecial(char[] cs, int i, int n) {
        return matchSpecial(specialTexts, cs, i, n);
    }

    /**
     * Index of the first of {@code texts} (longest first) that stands in {@code cs} at {@code i}
     * (before {@code n}), or -1. Shared with {@link BpeTrainer}, so both split specials alike.
     */
    static int matchSpecial(String[] texts, char[] cs, int i, int n) {
        outer:
        for (int s = 0; s < texts.length; s++) {
            String t = texts[s];
            int len = t.length();
            if (i + len > n) {
                continue;
            }
            for (int j = 0; j < len; j++) {
                if (cs[i + j] != t.charAt(j)) {
                    continue outer;
                }
            }
            return s;
        }
        return -1;
    }

    private void encodeOrdinary(EncodeState st, char[] cs, int from, int to) {
        if (from >= to) {
            return;
        }
        CharArrayView view = st.view.reset(cs, to);
        int p = from;
        while (p < to) {
            int q = preTokenizer.next(view, p, to);
            encodePiece(st, cs, p, q);
            p = q;
        }
    }

    private void encodePiece(EncodeState st, char[] cs, int p, int q) {
        int len = q - p;
        int slot = -1;
        if (len <= CACHE_MAX_CHARS && !st.offsets) {
            int h = 0x811C9DC5;
            for (int i = p; i < q; i++) {
                h = (h ^ cs[i]) * 0x01000193;
            }
            slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
            char[] key = st.cacheKeys[slot];
            if (key != null && key.length == len && Arrays.equals(key, 0, len, cs, p, q)) {
                int[] v = st.cacheValues[slot];
                st.ensureOut(v.length);
                System.arraycopy(v, 0, st.out, st.outLen, v.length);
                st.outLen += v.length;
                st.hits++;
                return;
            }
            st.misses++;
        }
        int before = st.outLen;
        int nb = st.utf8(cs, p, q);
        byte[] bytes = st.bytes;
        int[] syms = st.syms;
        int m = 0;
        for (int i = 0; i < nb; i++) {
            int id = byteToId[bytes[i] & 0xFF];
            if (id >= 0) {
                syms[m++] = id;
            }
        }
        if (m <= SMALL_PIECE) {
            m = mergeSmall(st, syms, m);
            st.ensureOut(m);
            System.arraycopy(syms, 0, st.out, st.outLen, m);
            st.outLen += m;
        } else {
            mergeLarge(st, syms, m);
        }
        if (st.offsets) {
            st.pieceOffsets(cs, p, q, before, tokenBytes);
        } else if (slot >= 0) {
            st.cacheKeys[slot] = Arrays.copyOfRange(cs, p, q);
            st.cacheValues[slot] = Arrays.copyOfRange(st.out, before, st.outLen);
        }
    }

    /** Quadratic merge over reused arrays; fine (and fastest) for short pieces. */
    private int mergeSmall(EncodeState st, int[] syms, int m) {
        if (m < 2) {
            return m;
        }
        int[] ranks = st.ranks;
        for (int i = 0; i < m - 1; i++) {
            ranks[i] = pairs.rank(syms[i], syms[i + 1]);
        }
        while (true) {
            int best = PairTable.NONE;
            int at = -1;
            for (int i = 0; i < m - 1; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            st.ops += m;
            if (at < 0) {
                return m;
            }
            syms[at] = mergeResult[best];
            System.arraycopy(syms, at + 2, syms, at + 1, m - at - 2);
            System.arraycopy(ranks, at + 1, ranks, at, m - at - 2);
            m--;
            if (at > 0) {
                ranks[at - 1] = pairs.rank(syms[at - 1], syms[at]);
            }
            if (at < m - 1) {
                ranks[at] = pairs.rank(syms[at], syms[at + 1]);
            }
        }
    }

    /** Heap over a linked list: O(n log n) for long pieces (e.g. a megabyte of one character). */
    private void mergeLarge(EncodeState st, int[] syms, int m) {
        int[] next = st.next(m);
        int[] prev = st.prev(m);
        st.heapSize = 0;
        for (int i = 0; i < m; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        for (int i = 0; i < m - 1; i++) {
            int r = pairs.rank(syms[i], syms[i + 1]);
            if (r != PairTable.NONE) {
                st.push(((long) r << 32) | i);
            }
        }
        while (st.heapSize > 0) {
            long top = st.pop();
            int r = (int) (top >>> 32);
            int i = (int) top;
            if (syms[i] < 0) {
                continue;
            }
            int j = next[i];
            if (j >= m || pairs.rank(syms[i], syms[j]) != r) {
                continue;
            }
            syms[i] = mergeResult[r];
            syms[j] = -1;
            int k = next[j];
            next[i] = k;
            if (k < m) {
                prev[k] = i;
                int r2 = pairs.rank(syms[i], syms[k]);
                if (r2 != PairTable.NONE) {
                    st.push(((long) r2 << 32) | i);
                }
            }
            int h = prev[i];
            if (h >= 0) {
                int r2 = pairs.rank(syms[h], syms[i]);
                if (r2 != PairTable.NONE) {
                    st.push(((long) r2 << 32) | h);
                }
            }
        }
        int count = 0;
        for (int i = 0; i < m; i = next[i]) {
            count++;
        }
        st.ensureOut(count);
        for (int i = 0; i < m; i = next[i]) {
            st.out[st.outLen++] = syms[i];
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
            total += bytesOf(ids[i]).length;
        }
        byte[] out = new byte[total];
        int o = 0;
        for (int i = from; i < to; i++) {
            byte[] b = tokenBytes[ids[i]];
            System.arraycopy(b, 0, out, o, b.length);
            o += b.length;
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private byte[] bytesOf(int id) {
        byte[] b = id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
        if (b == null) {
            throw new IllegalArgumentException(
                    "token id " + id + " is not in the vocabulary (size " + tokenBytes.length + ")");
        }
        return b;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytesOf(id).clone();
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** The pre-tokenizer pieces are split with. */
    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** Number of merges. */
    public int mergeCount() {
        return mergeLeft.length;
    }

    /** The ids merged by merge {@code rank} ({@code [left, right, result]}). */
    public int[] merge(int rank) {
        return new int[] {mergeLeft[rank], mergeRight[rank], mergeResult[rank]};
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
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(("kiln-bpe-1\n" + preTokenizer.name() + "\n").getBytes(StandardCharsets.UTF_8));
                byte[] buf = new byte[12];
                for (int id = 0; id < tokenBytes.length; id++) {
                    byte[] b = tokenBytes[id];
                    putInt(buf, 0, b == null ? -1 : b.length);
                    putInt(buf, 4, special[id] ? 1 : 0);
                    md.update(buf, 0, 8);
                    if (b != null) {
                        md.update(b);
                    }
                }
                for (int r = 0; r < mergeLeft.length; r++) {
                    putInt(buf, 0, mergeLeft[r]);
                    putInt(buf, 4, mergeRight[r]);
                    putInt(buf, 8, mergeResult[r]);
                    md.update(buf);
                }
                StringBuilder sb = new StringBuilder();
                for (byte b : md.digest()) {
                    sb.append(String.format("%02x", b));
                }
                h = sb.toString();
                hash = h;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
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
        return tokenBytes[id];
    }

    @Override
    public String toString() {
        return "BpeTokenizer[vocab=" + vocabSize() + ", merges=" + mergeCount() + ", pre=" + preTokenizer.name()
                + ", specials=" + specials.keySet() + "]";
    }
}
