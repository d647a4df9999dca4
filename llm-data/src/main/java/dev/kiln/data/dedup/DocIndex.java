package dev.kiln.data.dedup;

import dev.kiln.core.hash.Hash64;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-document bookkeeping of a dedup run that keeps the heap small: ids are spilled to a file in
 * input order, and only a 64-bit id hash and (for non-"first" keep policies) a score stay in
 * memory, 8–16 bytes per document.
 */
final class DocIndex implements Closeable {

    private static final long ID_SEED = 0x69642d6861736821L;

    private final Path idFile;
    private final DataOutputStream ids;
    private final PrimitiveLists.Longs idHashes = new PrimitiveLists.Longs(1 << 12);
    private final PrimitiveLists.Doubles scores;
    private int size;

    DocIndex(Path workDir, String prefix, boolean keepScores) throws IOException {
        Files.createDirectories(workDir);
        this.idFile = WorkFiles.create(workDir, prefix, ".ids");
        this.ids = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(idFile), 1 << 16));
        this.scores = keepScores ? new PrimitiveLists.Doubles(1 << 12) : null;
    }

    /** Records the next document; returns its ordinal. */
    int add(String id, double score) throws IOException {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        ids.writeInt(b.length);
        ids.write(b);
        idHashes.add(Hash64.hashChars(id, 0, id.length(), ID_SEED));
        if (scores != null) {
            scores.add(score);
        }
        return size++;
    }

    int size() {
        return size;
    }

    double score(int ordinal) {
        return scores == null ? 0 : scores.a[ordinal];
    }

    /** Fails with a clear error naming the id when two documents share one. */
    void checkUniqueIds(String stage) throws IOException {
        ids.flush();
        long[] sorted = Arrays.copyOf(idHashes.a, size);
        Arrays.sort(sorted);
        Set<Long> repeated = new HashSet<>();
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                repeated.add(sorted[i]);
            }
        }
        if (repeated.isEmpty()) {
            return;
        }
        Map<String, Integer> seen = new HashMap<>();
        try (DataInputStream in = open()) {
            for (int ord = 0; ord < size; ord++) {
                String id = readId(in);
                if (repeated.contains(idHashes.a[ord])) {
                    Integer prev = seen.putIfAbsent(id, ord);
                    if (prev != null) {
                        throw new IllegalArgumentException(stage + ": duplicate document id '" + id + "' (documents #"
                                + prev + " and #" + ord + " in input order); ids must be unique");
                    }
                }
            }
        }
    }

    /** The ids of the given ordinals (others are null). */
    String[] resolve(BitSet ordinals) throws IOException {
        ids.flush();
        String[] out = new String[size];
        try (DataInputStream in = open()) {
            for (int ord = 0; ord < size; ord++) {
                if (ordinals.get(ord)) {
                    out[ord] = readId(in);
                } else {
                    int n = in.readInt();
                    in.skipNBytes(n);
                }
            }
        }
        return out;
    }

    private DataInputStream open() throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(idFile), 1 << 16));
    }

    private static String readId(DataInputStream in) throws IOException {
        int n = in.readInt();
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        ids.close();
        Files.deleteIfExists(idFile);
    }
}
