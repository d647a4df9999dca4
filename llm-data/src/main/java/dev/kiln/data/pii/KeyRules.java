package dev.kiln.data.pii;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The vendor key formats of {@code key-rules.tsv}, indexed by the first two characters of their
 * prefix so that the scanner tries, at the start of a word, only the rules whose prefix could begin
 * there (most words match none: one table lookup).
 */
final class KeyRules {

    static final String RESOURCE = "key-rules.tsv";

    /** The rules shipped with Kiln. */
    static final KeyRules DEFAULT = load();

    final List<KeyRule> rules;
    private final boolean[] first = new boolean[128];
    private final KeyRule[][] byFirstTwo = new KeyRule[128 * 128][];

    KeyRules(List<KeyRule> rules) {
        this.rules = List.copyOf(rules);
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).index = i;
        }
        List<List<KeyRule>> lists = new ArrayList<>();
        for (int c = 0; c < 128 * 128; c++) {
            lists.add(null);
        }
        for (KeyRule r : rules) {
            char c0 = r.prefix.charAt(0);
            char c1 = r.prefix.charAt(1);
            if (c0 >= 128 || c1 >= 128) {
                throw new IllegalArgumentException("rule prefix must start with two ASCII characters: " + r);
            }
            first[c0] = true;
            int k = c0 * 128 + c1;
            if (lists.get(k) == null) {
                lists.set(k, new ArrayList<>());
            }
            lists.get(k).add(r);
        }
        for (int k = 0; k < 128 * 128; k++) {
            List<KeyRule> l = lists.get(k);
            if (l != null) {
                l.sort(Comparator.comparingInt((KeyRule r) -> r.prefix.length()).reversed());
                byFirstTwo[k] = l.toArray(KeyRule[]::new);
            }
        }
    }

    /** Whether some rule's prefix starts with {@code c}. */
    boolean mayStartWith(char c) {
        return c < 128 && first[c];
    }

    /**
     * The first rule matching at {@code i} (longest prefix first), as {@code (rule index << 32) |
     * end}, or -1.
     */
    long find(CharSequence s, int i) {
        if (i + 1 >= s.length()) {
            return -1;
        }
        char c0 = s.charAt(i);
        char c1 = s.charAt(i + 1);
        KeyRule[] candidates = c0 < 128 && c1 < 128 ? byFirstTwo[c0 * 128 + c1] : null;
        if (candidates == null || (i > 0 && KeyRule.tokenChar(s.charAt(i - 1)))) {
            return -1;
        }
        for (KeyRule r : candidates) {
            if (KeyRule.startsWith(s, i, r.prefix)) {
                int end = r.match(s, i);
                if (end > 0) {
                    return ((long) r.index << 32) | end;
                }
            }
        }
        return -1;
    }

    static KeyRules load() {
        try (InputStream in = KeyRules.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/kiln/data/pii/" + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses rule lines: {@code kind<TAB>shape}; {@code #} comments and blank lines are skipped. */
    static KeyRules parse(BufferedReader r, String name) throws IOException {
        List<KeyRule> rules = new ArrayList<>();
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new IllegalArgumentException(name + ":" + no + ": expected 'kind<TAB>shape', got '" + line + "'");
            }
            rules.add(KeyRule.parse(f[0].strip(), f[1].strip(), name + ":" + no));
        }
        return new KeyRules(rules);
    }
}
