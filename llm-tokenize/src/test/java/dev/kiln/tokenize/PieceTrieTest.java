package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * {@link PieceTrie}'s walk finds exactly the pieces a naive prefix check finds (the smallest id of
 * a repeated piece), whether or not the pieces come sorted; {@link UnigramSeed#kthLargest} agrees
 * with a full sort.
 */
class PieceTrieTest {

    /** Short strings over a small alphabet (many shared prefixes), with a surrogate pair and a wide char set. */
    @Provide
    Arbitrary<String> piece() {
        Arbitrary<String> small = Arbitraries.of("a", "b", "c", "▁", "\uD83D\uDE00", "\uFFFF", "\u0000", "中")
                .list()
                .ofMinSize(0)
                .ofMaxSize(6)
                .map(l -> String.join("", l));
        Arbitrary<String> wide =
                Arbitraries.strings().withCharRange((char) 0, (char) 0xFFFF).ofMaxLength(3);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, small), net.jqwik.api.Tuple.of(1, wide));
    }

    @Property(tries = 300)
    void walkFindsExactlyThePrefixPieces(
            @ForAll @Size(max = 60) List<@net.jqwik.api.From("piece") String> pieces,
            @ForAll("piece") String a,
            @ForAll("piece") String b,
            @ForAll boolean sortFirst) {
        String[] ps = pieces.toArray(new String[0]);
        if (sortFirst) {
            Arrays.sort(ps);
        }
        PieceTrie trie = PieceTrie.of(ps);
        Map<String, Integer> firstId = new HashMap<>();
        for (int i = 0; i < ps.length; i++) {
            if (!ps[i].isEmpty()) {
                firstId.putIfAbsent(ps[i], i);
            }
        }
        String text = a + b + String.join("", pieces.subList(0, Math.min(3, pieces.size())));
        for (int i = 0; i < text.length(); i++) {
            List<int[]> walked = new ArrayList<>();
            int node = trie.child(0, text.charAt(i));
            int j = i + 1;
            while (node >= 0) {
                if (trie.piece(node) >= 0) {
                    walked.add(new int[] {j, trie.piece(node)});
                }
                if (j >= text.length()) {
                    break;
                }
                node = trie.child(node, text.charAt(j++));
            }
            List<int[]> expected = new ArrayList<>();
            for (int e = i + 1; e <= text.length(); e++) {
                Integer id = firstId.get(text.substring(i, e));
                if (id != null) {
                    expected.add(new int[] {e, id});
                }
            }
            assertThat(walked).usingElementComparator(Arrays::compare).containsExactlyElementsOf(expected);
        }
    }

    @Property(tries = 200)
    void kthLargestAgreesWithASort(
            @ForAll @Size(min = 1, max = 200) List<@net.jqwik.api.constraints.LongRange(min = -5, max = 5) Long> values,
            @ForAll int pick) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        int k = 1 + Math.floorMod(pick, a.length);
        long[] sorted = a.clone();
        Arrays.sort(sorted);
        assertThat(UnigramSeed.kthLargest(a.clone(), k)).isEqualTo(sorted[sorted.length - k]);
    }
}
