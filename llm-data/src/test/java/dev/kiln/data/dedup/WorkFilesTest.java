package dev.kiln.data.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkFilesTest {

    @TempDir
    Path dir;

    @Test
    void createsNewEmptyOwnerOnlyFilesWithTheGivenPrefixAndSuffix() throws Exception {
        Set<Path> made = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Path p = WorkFiles.create(dir, "near-dedup-", ".sig");
            assertThat(made.add(p)).isTrue();
            assertThat(p.getParent()).isEqualTo(dir);
            assertThat(p.getFileName().toString()).startsWith("near-dedup-").endsWith(".sig");
            assertThat(Files.size(p)).isZero();
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anExistingNameIsSkippedNotReused() throws Exception {
        Path first = WorkFiles.create(dir, "x-", ".run");
        // the next names in the sequence exist already (as if left by another process)
        String name = first.getFileName().toString();
        long n = Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.length() - ".run".length()));
        String stem = name.substring(0, name.lastIndexOf('-') + 1);
        for (long k = n + 1; k <= n + 3; k++) {
            Files.writeString(dir.resolve(stem + k + ".run"), "someone else's");
        }
        Path next = WorkFiles.create(dir, "x-", ".run");
        assertThat(Files.size(next)).isZero();
        for (long k = n + 1; k <= n + 3; k++) {
            assertThat(Files.readString(dir.resolve(stem + k + ".run"))).isEqualTo("someone else's");
        }
    }

    /** Both ways of reading a store back (a direct buffer, a map) give the same signatures and sets. */
    @Test
    void storesReadBackTheSameWhetherReadOrMapped() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        int k = 16;
        int docs = 300;
        int[] sigs = new int[docs * k];
        for (int i = 0; i < sigs.length; i++) {
            sigs[i] = r.nextInt(50); // small alphabet: many equal positions
        }
        long[][] sets = new long[docs][];
        for (int d = 0; d < docs; d++) {
            sets[d] = r.longs(r.nextInt(0, 200), 0, 400).sorted().distinct().toArray();
        }
        try (SignatureStore read = new SignatureStore(dir, k, Long.MAX_VALUE);
                SignatureStore mapped = new SignatureStore(dir, k, 0);
                ShingleStore readSets = new ShingleStore(dir, Long.MAX_VALUE);
                ShingleStore mappedSets = new ShingleStore(dir, 0);
                // kept on the heap in batches of 7 sets until the limit, then spilled to the file
                ShingleStore spilledSets = new ShingleStore(dir, 8L * 5_000)) {
            read.append(sigs, docs);
            mapped.append(sigs, docs);
            for (long[] s : sets) {
                readSets.append(s);
                mappedSets.append(s);
            }
            for (int d = 0; d < docs; d += 7) {
                int count = Math.min(7, docs - d);
                int[] ends = new int[count];
                java.util.stream.LongStream.Builder batch = java.util.stream.LongStream.builder();
                int end = 0;
                for (int i = 0; i < count; i++) {
                    for (long v : sets[d + i]) {
                        batch.add(v);
                    }
                    end += sets[d + i].length;
                    ends[i] = end;
                }
                spilledSets.appendAll(batch.build().toArray(), ends, count);
            }
            read.finishWriting();
            mapped.finishWriting();
            readSets.finishWriting();
            mappedSets.finishWriting();
            spilledSets.finishWriting();
            assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".shingles")))
                    .as("the sets kept on the heap have no file")
                    .hasSize(2);
            int[] a = new int[k];
            int[] b = new int[k];
            for (int d = 0; d < docs; d++) {
                read.read(d, a);
                mapped.read(d, b);
                assertThat(a).containsExactly(java.util.Arrays.copyOfRange(sigs, d * k, d * k + k));
                assertThat(b).containsExactly(a);
            }
            for (int i = 0; i < 500; i++) {
                int x = r.nextInt(docs);
                int y = r.nextInt(docs);
                assertThat(read.equalCount(x, y)).isEqualTo(mapped.equalCount(x, y));
                double exact = MinHasher.jaccard(sets[x], sets[y]);
                assertThat(readSets.jaccard(x, y)).isEqualTo(exact);
                assertThat(mappedSets.jaccard(x, y)).isEqualTo(exact);
                assertThat(spilledSets.jaccard(x, y)).isEqualTo(exact);
                assertThat(spilledSets.jaccardAtLeast(x, y, 0.5)).isEqualTo(exact >= 0.5);
            }
        }
    }
}
