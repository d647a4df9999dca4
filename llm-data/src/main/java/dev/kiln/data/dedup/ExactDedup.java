package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import dev.kiln.core.hash.Hash64;
import dev.kiln.core.progress.Progress;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact deduplication ({@code exact-dedup}): documents with the same content key are duplicates of
 * the first such document in input order.
 *
 * <p>The key depends on the normalisation:
 *
 * <ul>
 *   <li>{@link Normalization#NONE}: the content's <b>git blob id</b>, the SHA-1 of {@code "blob "
 *       + length + "\0" + content} as UTF-8 (what {@code git hash-object} prints). A row that
 *       carries The Stack's {@code hexsha} (metadata, 40 hex digits: the git blob id of the file as
 *       it was crawled) is keyed by it and not hashed again, so rows of The Stack and files of a
 *       checkout that hold the same content are duplicates of each other. A {@code hexsha} that is
 *       not 40 hex digits is ignored and the content is hashed.
 *   <li>{@link Normalization#WHITESPACE}: a 128-bit hash (two independent 64-bit {@link Hash64}
 *       lanes) of the content with runs of whitespace collapsed; {@code hexsha} hashes the raw
 *       bytes, so it is not used.
 * </ul>
 *
 * <p>Memory: about 40 bytes per distinct document in an open-addressing table plus 8 bytes per
 * document; ids are spilled to {@code workDir}.
 *
 * <pre>{@code
 * DuplicateSet dups = ExactDedup.builder()
 *         .optNormalization(ExactDedup.Normalization.WHITESPACE)
 *         .build()
 *         .find(documents, workDir);
 * }</pre>
 */
public final class ExactDedup implements DedupStage {

    private static final long serialVersionUID = 1L;

    /** The stage name in recipes and reports. */
    public static final String NAME = "exact-dedup";

    /** The metadata field holding The Stack's git blob id of a row's content. */
    public static final String HEXSHA = "hexsha";

    /** How content is normalised before hashing. */
    public enum Normalization {
        /** The content as is. */
        NONE,
        /**
         * Runs of whitespace count as one space and leading/trailing whitespace is ignored, so
         * re-indented files, CRLF/LF and trailing spaces do not matter.
         */
        WHITESPACE;

        /** Parses {@code none} or {@code whitespace} (also {@code whitespace-insensitive}). */
        public static Normalization parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            switch (v) {
                case "none":
                    return NONE;
                case "whitespace":
                case "whitespace-insensitive":
                    return WHITESPACE;
                default:
                    throw new IllegalArgumentException(
                            "unknown normalization '" + s + "'; use none or whitespace-insensitive");
            }
        }
    }

    private final Normalization normalization;

    private ExactDedup(Builder b) {
        this.normalization = b.normalization;
    }

    /** A builder with the defaults (no normalisation). */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Content normalisation applied before hashing. */
    public Normalization normalization() {
        return normalization;
    }

    @Override
    public DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException {
        long[] h = new long[2];
        MessageDigest sha1 = normalization == Normalization.NONE ? sha1() : null;
        HashTable table = new HashTable(1 << 12);
        PrimitiveLists.Ints dupOrd = new PrimitiveLists.Ints(1 << 10);
        PrimitiveLists.Ints dupOf = new PrimitiveLists.Ints(1 << 10);
        try (DocIndex index = new DocIndex(workDir, "exact-dedup-", false);
                Progress progress =
                        Progress.builder().setTask(NAME).optUnit("docs").build()) {
            for (Document doc : documents) {
                int ord = index.add(doc.id(), 0);
                if (sha1 == null) {
                    hash128(doc.content(), true, h);
                } else {
                    blobKey(doc.content(), hexsha(doc.metadata().get(HEXSHA)), sha1, h);
                }
                int first = table.putIfAbsent(h[0], h[1], ord);
                if (first >= 0) {
                    dupOrd.add(ord);
                    dupOf.add(first);
                }
                progress.advance(1, doc.content().length());
            }
            index.checkUniqueIds(NAME);
            BitSet need = new BitSet(index.size());
            for (int i = 0; i < dupOrd.size; i++) {
                need.set(dupOrd.a[i]);
                need.set(dupOf.a[i]);
            }
            String[] ids = index.resolve(need);
            List<Duplicate> out = new ArrayList<>(dupOrd.size);
            Map<Integer, Integer> members = new HashMap<>();
            for (int i = 0; i < dupOrd.size; i++) {
                out.add(new Duplicate(ids[dupOrd.a[i]], ids[dupOf.a[i]], 1.0, NAME));
                members.merge(dupOf.a[i], 2, (a, b) -> a + 1);
            }
            Map<Integer, Long> sizes = new TreeMap<>();
            for (int size : members.values()) {
                sizes.merge(size, 1L, Long::sum);
            }
            return new DedupResult(out, sizes);
        }
    }

    /**
     * The content key under a normalisation as hex digits, for a document without {@code hexsha}:
     * {@code contentHash(content, null, normalization)}.
     */
    public static String contentHash(CharSequence content, Normalization normalization) {
        return contentHash(content, null, normalization);
    }

    /**
     * The content key (see the class comment) as hex digits; engines share it so that they remove
     * the same documents. With {@link Normalization#NONE} it is the git blob id (40 hex digits):
     * {@code hexsha} when that is 40 hex digits, else computed from {@code content}; with {@link
     * Normalization#WHITESPACE} a 128-bit hash (32 hex digits) and {@code hexsha} is ignored.
     *
     * <pre>{@code
     * ExactDedup.contentHash("hello\n", null, Normalization.NONE); // "ce013625030ba8dba906f756967f9e9ca394464a"
     * }</pre>
     */
    public static String contentHash(CharSequence content, Object hexsha, Normalization normalization) {
        if (normalization == Normalization.WHITESPACE) {
            long[] h = new long[2];
            hash128(content, true, h);
            return String.format("%016x%016x", h[0], h[1]);
        }
        String given = hexsha(hexsha);
        return given != null ? given : HexFormat.of().formatHex(blobId(content, sha1()));
    }

    /** {@code v} lower-cased when it is a string of 40 hex digits (a git blob id), else null. */
    static String hexsha(Object v) {
        if (!(v instanceof String s) || s.length() != 40) {
            return null;
        }
        for (int i = 0; i < 40; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return null;
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * The git blob id ({@code hexsha} when given) folded into 128 bits, {@code out[0..1]}: the first
     * 64 bits, and the next 64 xor-ed with the last 32 times an odd constant, so all 160 bits count.
     */
    private static void blobKey(CharSequence content, String hexsha, MessageDigest sha1, long[] out) {
        long a;
        long b;
        long c;
        if (hexsha != null) {
            a = Long.parseUnsignedLong(hexsha, 0, 16, 16);
            b = Long.parseUnsignedLong(hexsha, 16, 32, 16);
            c = Long.parseUnsignedLong(hexsha, 32, 40, 16);
        } else {
            byte[] d = blobId(content, sha1);
            a = 0;
            b = 0;
            c = 0;
            for (int i = 0; i < 8; i++) {
                a = (a << 8) | (d[i] & 0xff);
                b = (b << 8) | (d[8 + i] & 0xff);
            }
            for (int i = 16; i < 20; i++) {
                c = (c << 8) | (d[i] & 0xff);
            }
        }
        out[0] = a;
        out[1] = b ^ (c * 0x9e3779b97f4a7c15L);
    }

    /** git's blob id of {@code content} as UTF-8: SHA-1 of {@code "blob <length>\0"} and the bytes. */
    private static byte[] blobId(CharSequence content, MessageDigest sha1) {
        byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);
        sha1.reset();
        sha1.update(("blob " + bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha1.update((byte) 0);
        sha1.update(bytes);
        return sha1.digest();
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must provide", e);
        }
    }

    /** The 128-bit content hash under a normalisation, into {@code out[0..1]}. */
    static void hash128(CharSequence s, boolean collapseWhitespace, long[] out) {
        long h1 = 0x243f6a8885a308d3L;
        long h2 = 0x13198a2e03707344L;
        long v = 0;
        int inBlock = 0;
        long count = 0;
        boolean pendingSpace = false;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (collapseWhitespace) {
                if (Character.isWhitespace(c)) {
                    pendingSpace = count > 0 || inBlock > 0;
                    continue;
                }
                if (pendingSpace) {
                    pendingSpace = false;
                    v |= (long) ' ' << (inBlock << 4);
                    if (++inBlock == 4) {
                        h1 = Hash64.step(h1, v);
                        h2 = Hash64.tail(h2, v, 0);
                        v = 0;
                        inBlock = 0;
                        count += 4;
                    }
                }
            }
            v |= (long) c << (inBlock << 4);
            if (++inBlock == 4) {
                h1 = Hash64.step(h1, v);
                h2 = Hash64.tail(h2, v, 0);
                v = 0;
                inBlock = 0;
                count += 4;
            }
        }
        count += inBlock;
        h1 = Hash64.tail(h1, v, count);
        h2 = Hash64.step(h2 ^ count, v);
        out[0] = Hash64.finish(h1);
        out[1] = Hash64.finish(h2 ^ h1);
    }

    @Override
    public String toString() {
        return NAME + "{normalization=" + normalization.name().toLowerCase(Locale.ROOT) + "}";
    }

    /** Open addressing from a 128-bit key to the first ordinal. */
    private static final class HashTable {
        private long[] k1;
        private long[] k2;
        private int[] ord;
        private int size;

        HashTable(int capacity) {
            alloc(capacity);
        }

        private void alloc(int capacity) {
            k1 = new long[capacity];
            k2 = new long[capacity];
            ord = new int[capacity];
            java.util.Arrays.fill(ord, -1);
        }

        /** Inserts; returns the existing ordinal, or -1 when the key is new. */
        int putIfAbsent(long a, long b, int value) {
            if ((size + 1) * 2 > ord.length) {
                rehash();
            }
            int mask = ord.length - 1;
            int i = (int) (a ^ (a >>> 32)) & mask;
            while (ord[i] >= 0) {
                if (k1[i] == a && k2[i] == b) {
                    return ord[i];
                }
                i = (i + 1) & mask;
            }
            k1[i] = a;
            k2[i] = b;
            ord[i] = value;
            size++;
            return -1;
        }

        private void rehash() {
            long[] o1 = k1;
            long[] o2 = k2;
            int[] oo = ord;
            alloc(oo.length * 2);
            size = 0;
            for (int i = 0; i < oo.length; i++) {
                if (oo[i] >= 0) {
                    putIfAbsent(o1[i], o2[i], oo[i]);
                }
            }
        }
    }

    /** Builder; every option has a default. */
    public static final class Builder {
        private Normalization normalization = Normalization.NONE;

        private Builder() {}

        /** Content normalisation before hashing; default {@link Normalization#NONE}. */
        public Builder optNormalization(Normalization normalization) {
            if (normalization == null) {
                throw new IllegalArgumentException("normalization must not be null; use NONE or WHITESPACE");
            }
            this.normalization = normalization;
            return this;
        }

        /** The exact deduplicator with the settings given. */
        public ExactDedup build() {
            return new ExactDedup(this);
        }
    }
}
