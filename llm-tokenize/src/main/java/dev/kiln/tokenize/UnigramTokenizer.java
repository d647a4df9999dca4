package dev.kiln.tokenize;

import dev.kiln.core.hash.Fnv1a;
import dev.kiln.core.hash.Sha256;
import dev.kiln.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A SentencePiece-style Unigram tokenizer (trained by {@link UnigramTrainer}) behind core's {@link
 * Tokenizer}, saved and loaded as a Hugging Face {@code tokenizer.json} with a {@code Unigram}
 * model, so Hugging Face's library gives the same ids.
 *
 * <pre>{@code
 * UnigramTokenizer tok = UnigramTokenizer.load(Path.of("tokenizer.json"));
 * int[] ids = tok.encode("def add(a, b):\n    return a + b");
 * String back = tok.decode(ids);
 * }</pre>
 *
 * <p>Pipeline (Hugging Face's, step by step): special tokens are cut out of the text (leftmost,
 * longest); each remaining part is split as by {@code Metaspace} (a space becomes {@code ▁} and
 * starts a new piece); each piece is segmented by Viterbi over the pieces' scores; characters no
 * piece covers become their UTF-8 bytes as {@code <0xXX>} tokens (byte fallback), so any text
 * encodes. Decoding maps {@code ▁} back to a space and byte tokens back to bytes; a literal {@code
 * ▁} in the text therefore decodes as a space. Lone surrogates encode as U+FFFD.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class UnigramTokenizer implements Tokenizer {

    static final String UNK = "<unk>";
    static final int CACHE_SLOTS = 1 << 14;
    static final int CACHE_MAX_CHARS = 32;

    private final UnigramModel model;
    private final Map<String, Integer> specials;
    private final boolean[] special;
    private final AddedTokenMatcher specialMatcher;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);
    private volatile String hash;

    UnigramTokenizer(UnigramModel model, Map<String, Integer> specialTokens) {
        this.model = model;
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        this.special = new boolean[model.size()];
        List<AddedToken> tokens = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        specials.forEach((t, id) -> {
            special[id] = true;
            tokens.add(AddedToken.of(t, id, true));
            patterns.add(t);
        });
        this.specialMatcher = tokens.isEmpty() ? AddedTokenMatcher.EMPTY : new AddedTokenMatcher(tokens, patterns);
    }

    /**
     * Reads a {@code tokenizer.json} with a {@code Unigram} model as {@link UnigramTrainer} writes
     * it (Metaspace pre-tokenizer, byte fallback, special added tokens).
     *
     * @throws dev.kiln.core.CorruptArtifactException when the file is malformed or uses a feature
     *     Kiln's Unigram tokenizer does not implement (named in the message)
     */
    public static UnigramTokenizer load(Path tokenizerJson) throws IOException {
        return UnigramJson.read(tokenizerJson);
    }

    /** Writes this tokenizer as a Hugging Face {@code tokenizer.json} (atomically). */
    public void save(Path tokenizerJson) throws IOException {
        UnigramJson.write(this, tokenizerJson);
    }

    UnigramModel model() {
        return model;
    }

    /** Per-thread buffers and a small cache of piece segmentations. */
    private static final class State implements UnigramModel.IdSink {
        char[] chars = new char[1024];
        int[] out = new int[1024];
        int outLen;
        final UnigramModel.Scratch scratch = new UnigramModel.Scratch();
        final int[] found = new int[1];
        final char[][] keys = new char[CACHE_SLOTS][];
        final int[][] values = new int[CACHE_SLOTS][];
        final char[][] ordinaryKeys = new char[CACHE_SLOTS][];
        final int[][] ordinaryValues = new int[CACHE_SLOTS][];

        @Override
        public void add(int id) {
            if (outLen == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[outLen++] = id;
        }
    }

    /** Encodes {@code text}; special-token strings in it become special tokens. */
    @Override
    public int[] encode(CharSequence text) {
        return encode(text, true);
    }

    /**
     * Encodes {@code text} treating special-token strings as plain text (for untrusted data): they
     * are neither cut out nor used by the segmentation.
     */
    public int[] encodeOrdinary(CharSequence text) {
        return encode(text, false);
    }

    /** Encodes every text, in parallel on the common fork-join pool; results in input order. */
    public List<int[]> encodeBatch(List<? extends CharSequence> texts) {
        int[][] out = new int[texts.size()][];
        IntStream.range(0, texts.size()).parallel().forEach(i -> out[i] = encode(texts.get(i)));
        return Arrays.asList(out);
    }

    private int[] encode(CharSequence text, boolean withSpecials) {
        State st = state.get();
        int n = text.length();
        if (st.chars.length < n) {
            st.chars = new char[Math.max(n, st.chars.length * 2)];
        }
        char[] cs = st.chars;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    cs[i++] = c;
                    c = text.charAt(i);
                } else {
                    c = '\uFFFD';
                }
            }
            cs[i] = c;
        }
        st.outLen = 0;
        int segment = 0;
        if (withSpecials && !specialMatcher.isEmpty()) {
            int i = 0;
            while (i < n) {
                int s = specialMatcher.find(cs, i, n, st.found);
                if (s < 0) {
                    break;
                }
                AddedToken t = specialMatcher.token(st.found[0]);
                encodePlain(st, cs, segment, s, false);
                st.add(t.id());
                i = s + specialMatcher.patternLength(st.found[0]);
                segment = i;
            }
        }
        encodePlain(st, cs, segment, n, !withSpecials);
        int[] out = Arrays.copyOf(st.out, st.outLen);
        if (cs.length > (1 << 22)) {
            st.chars = new char[1024];
        }
        return out;
    }

    /** Metaspace pieces of {@code cs[from, to)}, each segmented. */
    private void encodePlain(State st, char[] cs, int from, int to, boolean ordinary) {
        for (int i = from; i < to; i++) {
            if (cs[i] == ' ') {
                cs[i] = UnigramModel.SPACE;
            }
        }
        int p = from;
        while (p < to) {
            int q = p + 1;
            while (q < to && cs[q] != UnigramModel.SPACE) {
                q++;
            }
            encodePiece(st, cs, p, q, ordinary);
            p = q;
        }
    }

    private void encodePiece(State st, char[] cs, int p, int q, boolean ordinary) {
        char[][] keys = ordinary ? st.ordinaryKeys : st.keys;
        int[][] values = ordinary ? st.ordinaryValues : st.values;
        int len = q - p;
        int slot = -1;
        if (len <= CACHE_MAX_CHARS) {
            int h = Fnv1a.hash32(cs, p, q);
            slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
            char[] key = keys[slot];
            if (key != null && key.length == len && Arrays.equals(key, 0, len, cs, p, q)) {
                for (int id : values[slot]) {
                    st.add(id);
                }
                return;
            }
        }
        int before = st.outLen;
        model.encode(cs, p, q, st.scratch, st, ordinary && !specials.isEmpty() ? special : null);
        if (slot >= 0) {
            keys[slot] = Arrays.copyOfRange(cs, p, q);
            values[slot] = Arrays.copyOfRange(st.out, before, st.outLen);
        }
    }

    /**
     * Hugging Face's decoder chain for this model: {@code ▁} → space, runs of byte tokens → their
     * UTF-8 text (or one U+FFFD per byte when invalid), then everything concatenated.
     */
    @Override
    public String decode(int[] ids, int from, int to) {
        if (from < 0 || to > ids.length || from > to) {
            throw new IllegalArgumentException(
                    "range [" + from + ", " + to + ") is outside the " + ids.length + " ids");
        }
        StringBuilder sb = new StringBuilder();
        byte[] run = new byte[16];
        int runLen = 0;
        for (int i = from; i < to; i++) {
            int id = ids[i];
            check(id);
            String text = UnigramModel.text(model.pieces[id]);
            int b = UnigramModel.byteOf(text);
            if (b >= 0) {
                if (runLen == run.length) {
                    run = Arrays.copyOf(run, runLen * 2);
                }
                run[runLen++] = (byte) b;
                continue;
            }
            runLen = flush(sb, run, runLen);
            sb.append(text);
        }
        flush(sb, run, runLen);
        return sb.toString();
    }

    private static int flush(StringBuilder sb, byte[] run, int len) {
        if (len == 0) {
            return 0;
        }
        try {
            sb.append(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(run, 0, len)));
        } catch (CharacterCodingException e) {
            for (int i = 0; i < len; i++) {
                sb.append('\uFFFD');
            }
        }
        return 0;
    }

    private void check(int id) {
        if (id < 0 || id >= model.size()) {
            throw new IllegalArgumentException(
                    "token id " + id + " is not in the vocabulary (size " + model.size() + ")");
        }
    }

    /** The bytes of token {@code id}: a byte token's byte, else the UTF-8 of its text ({@code ▁} as a space). */
    @Override
    public byte[] tokenBytes(int id) {
        check(id);
        int b = model.isByte[id] ? UnigramModel.byteOf(model.pieces[id]) : -1;
        return b >= 0 ? new byte[] {(byte) b} : UnigramModel.utf8(UnigramModel.text(model.pieces[id]));
    }

    /** The piece of token {@code id} as the vocabulary holds it ({@code ▁} for a space). */
    public String piece(int id) {
        check(id);
        return model.pieces[id];
    }

    /** The log-probability score of token {@code id}. */
    public double score(int id) {
        check(id);
        return model.scores[id];
    }

    @Override
    public int vocabSize() {
        return model.size();
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** The id of the unknown token. */
    public int unknownId() {
        return model.unkId;
    }

    /** SHA-256 (hex) of what determines the ids: pieces, scores, special tokens. */
    public String hash() {
        String h = hash;
        if (h == null) {
            MessageDigest md = Sha256.newDigest();
            md.update("kiln-unigram-1\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < model.size(); i++) {
                md.update((model.pieces[i] + "\t" + Double.toString(model.scores[i]) + "\t" + special[i] + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            h = Sha256.hex(md);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return "UnigramTokenizer[vocab=" + vocabSize() + ", specials=" + specials.keySet() + "]";
    }
}
