package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import dev.kiln.core.hash.Hash64;
import dev.kiln.core.progress.Progress;
import dev.kiln.data.DedupStage;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.DuplicateSet.Duplicate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact deduplication ({@code exact-dedup}): documents whose content has the same 128-bit hash
 * (two independent 64-bit {@link Hash64} lanes) under a normalisation are duplicates of the first
 * such document in input order.
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

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    public Normalization normalization() {
        return normalization;
    }

    @Override
    public DuplicateSet find(Iterable<Document> documents, Path workDir) throws IOException {
        long[] h = new long[2];
        HashTable table = new HashTable(1 << 12);
        PrimitiveLists.Ints dupOrd = new PrimitiveLists.Ints(1 << 10);
        PrimitiveLists.Ints dupOf = new PrimitiveLists.Ints(1 << 10);
        try (DocIndex index = new DocIndex(workDir, "exact-dedup-", false);
                Progress progress =
                        Progress.builder().setTask(NAME).optUnit("docs").build()) {
            for (Document doc : documents) {
                int ord = index.add(doc.id(), 0);
                hash128(doc.content(), normalization == Normalization.WHITESPACE, h);
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

    /** The 128-bit content hash under a normalisation, as 32 hex digits (engines share it). */
    public static String contentHash(CharSequence content, Normalization normalization) {
        long[] h = new long[2];
        hash128(content, normalization == Normalization.WHITESPACE, h);
        return String.format("%016x%016x", h[0], h[1]);
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

        public ExactDedup build() {
            return new ExactDedup(this);
        }
    }
}
