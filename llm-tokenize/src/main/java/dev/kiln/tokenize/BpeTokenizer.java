package dev.kiln.tokenize;

import dev.kiln.core.hash.Fnv1a;
import dev.kiln.core.hash.Sha256;
import dev.kiln.core.model.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
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
    private final boolean[] special;
    private final List<AddedToken> addedTokens;
    /** Added tokens matched in the raw text, and those matched in the normalized text. */
    private final AddedTokenMatcher rawAdded;

    private final AddedTokenMatcher normalizedAdded;
    private final HfNormalizer normalizer;
    private final HfPostProcessor postProcessor;
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
        this(preTokenizer, tokenBytes, mergeLeft, mergeRight, mergeResult, plainSpecials(specialTokens), null, null);
    }

    private static List<AddedToken> plainSpecials(Map<String, Integer> specialTokens) {
        List<AddedToken> out = new ArrayList<>();
        specialTokens.forEach((t, id) -> out.add(AddedToken.of(t, id, true)));
        return out;
    }

    /**
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
        this.tokenBytes = tokenBytes;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeResult = mergeResult;
        this.pairs = new PairTable(mergeLeft, mergeRight);
        this.special = new boolean[tokenBytes.length];
        this.addedTokens = List.copyOf(addedTokens);
        this.normalizer = normalizer;
        this.postProcessor = postProcessor;
        Map<String, Integer> sp = new LinkedHashMap<>();
        List<AddedToken> raw = new ArrayList<>();
        List<String> rawPatterns = new ArrayList<>();
        List<AddedToken> norm = new ArrayList<>();
        List<String> normPatterns = new ArrayList<>();
        for (AddedToken t : this.addedTokens) {
            if (t.special()) {
                sp.put(t.content(), t.id());
                special[t.id()] = true;
            }
            if (t.normalized()) {
                norm.add(t);
                normPatterns.add(normalizer == null ? t.content() : normalizer.apply(t.content()));
            } else {
                raw.add(t);
                rawPatterns.add(t.content());
            }
        }
        this.specials = Collections.unmodifiableMap(sp);
        this.rawAdded = raw.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(raw, rawPatterns);
        this.normalizedAdded = norm.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(norm, normPatterns);
        // the id of each single byte; a byte-level vocabulary has all 256, a loaded one may lack some (-1)
        this.byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] b = tokenBytes[id];
            if (b != null && b.length == 1 && !isAdded(id) && byteToId[b[0] & 0xFF] < 0) {
                byteToId[b[0] & 0xFF] = id;
            }
        }
        this.state = ThreadLocal.withInitial(EncodeState::new);
    }

    private boolean isAdded(int id) {
        for (AddedToken t : addedTokens) {
            if (t.id() == id) {
                return true;
            }
        }
        return false;
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
        return encode(text, SpecialMode.ALL, true);
    }

    /**
     * Encodes {@code text}; {@code addSpecialTokens} as Hugging Face's flag: whether the
     * post-processor's tokens (BOS/EOS templates) are added. Special-token strings in the text become
     * special tokens either way.
     */
    public int[] encode(CharSequence text, boolean addSpecialTokens) {
        return encode(text, SpecialMode.ALL, addSpecialTokens);
    }

    /**
     * Encodes {@code text} treating special-token strings as plain text (for untrusted data, e.g.
     * training documents); no post-processor tokens. Non-special added tokens still match, as with
     * Hugging Face's {@code encode_special_tokens}.
     */
    public int[] encodeOrdinary(CharSequence text) {
        return encode(text, SpecialMode.NONE, false);
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
        return encode(text, new SpecialMode(new HashSet<>(allowedSpecial), new HashSet<>(disallowedSpecial)), false);
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
        if (normalizer != null) {
            throw new IllegalStateException("encodeWithOffsets is not available with a normalizer (" + normalizer
                    + "): spans would refer to" + " the normalized text");
        }
        EncodeState st = state.get();
        st.offsets = true;
        try {
            int[] ids = encode(text, SpecialMode.ALL, true);
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

        boolean allows(String t) {
            return allowed == null || allowed.contains(t);
        }

        boolean none() {
            return allowed != null && allowed.isEmpty() && disallowed.isEmpty();
        }
    }

    private int[] encode(CharSequence text, SpecialMode mode, boolean addSpecialTokens) {
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
        if (rawAdded.isEmpty() || (mode.none() && rawAdded.onlyPlainSpecials())) {
            normalizedPart(st, cs, 0, n, mode);
        } else {
            splitAdded(st, cs, 0, n, rawAdded, mode, true);
        }
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

    /**
     * Hugging Face's added-token split of {@code cs[from, to)} (one "sentence"): leftmost-longest
     * matches, a skipped match still consumed; {@code single_word}, {@code lstrip} (not past the
     * previous match) and {@code rstrip} applied; the gaps go on to the normalizer ({@code raw}) or
     * to the pre-tokenizer.
     */
    private void splitAdded(
            EncodeState st, char[] cs, int from, int to, AddedTokenMatcher m, SpecialMode mode, boolean raw) {
        int startOffset = from;
        int i = from;
        int[] found = st.found;
        while (i < to) {
            int s = m.find(cs, i, to, found);
            if (s < 0) {
                break;
            }
            AddedToken t = m.token(found[0]);
            int e = s + m.patternLength(found[0]);
            i = e;
            if (t.special() && !mode.allows(t.content())) {
                if (mode.disallowed.contains(t.content())) {
                    throw new IllegalArgumentException("text contains the disallowed special token '" + t.content()
                            + "' at char " + s + "; allow it, or encode it as plain text with encodeOrdinary");
                }
                continue;
            }
            if (t.singleWord()
                    && ((s > from && AddedTokenMatcher.isWordChar(Character.codePointBefore(cs, s, from)))
                            || (e < to && AddedTokenMatcher.isWordChar(Character.codePointAt(cs, e, to))))) {
                continue;
            }
            if (t.lstrip()) {
                int ns = s;
                while (ns > from && PreTokenizer.isWhiteSpace(cs[ns - 1])) {
                    ns--;
                }
                s = Math.max(ns, startOffset);
            }
            if (t.rstrip()) {
                while (e < to && PreTokenizer.isWhiteSpace(cs[e])) {
                    e++;
                }
                i = e;
            }
            if (startOffset < s) {
                gap(st, cs, startOffset, s, mode, raw);
            }
            st.emit(t.id(), s, e);
            startOffset = e;
        }
        if (startOffset < to) {
            gap(st, cs, startOffset, to, mode, raw);
        }
    }

    private void gap(EncodeState st, char[] cs, int from, int to, SpecialMode mode, boolean raw) {
        if (raw) {
            normalizedPart(st, cs, from, to, mode);
        } else {
            encodeOrdinary(st, cs, from, to);
        }
    }

    /** A piece between raw added tokens: normalized, then split on the normalized added tokens. */
    private void normalizedPart(EncodeState st, char[] cs, int from, int to, SpecialMode mode) {
        if (from >= to) {
            return;
        }
        char[] text = cs;
        if (normalizer != null) {
            text = normalizer.apply(new String(cs, from, to - from)).toCharArray();
            from = 0;
            to = text.length;
        }
        if (normalizedAdded.isEmpty()) {
            encodeOrdinary(st, text, from, to);
        } else {
            splitAdded(st, text, from, to, normalizedAdded, mode, false);
        }
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
            int h = Fnv1a.hash32(cs, p, q);
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

    /**
     * The added tokens (special or not) with their flags, in id order. {@link #specialTokens()} has
     * the special ones.
     */
    public List<AddedToken> addedTokens() {
        return addedTokens;
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
        return normalizer;
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
            MessageDigest md = Sha256.newDigest();
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
            // what else changes ids (absent from Kiln-trained tokenizers, whose hash stays as it was)
            StringBuilder extra = new StringBuilder();
            for (AddedToken t : addedTokens) {
                if (!t.isPlainSpecial()) {
                    extra.append(t).append('\n');
                }
            }
            if (normalizer != null) {
                extra.append("normalizer ").append(normalizer.json()).append('\n');
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
        return tokenBytes[id];
    }

    @Override
    public String toString() {
        return "BpeTokenizer[vocab=" + vocabSize() + ", merges=" + mergeCount() + ", pre=" + preTokenizer.name()
                + ", specials=" + specials.keySet()
                + (addedTokens.size() > specials.size() ? ", added=" + (addedTokens.size() - specials.size()) : "")
                + (normalizer != null ? ", normalizer" : "")
                + (postProcessor != null ? ", post_processor" : "")
                + "]";
    }
}
