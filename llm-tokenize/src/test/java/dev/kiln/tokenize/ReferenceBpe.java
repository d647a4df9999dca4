package dev.kiln.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The textbook BPE encoder (slow, obviously right) to check the fast one against. */
final class ReferenceBpe {
    private final BpeTokenizer tok;
    private final Map<String, Integer> rank = new HashMap<>();
    private final Map<String, Integer> byBytes = new HashMap<>();

    ReferenceBpe(BpeTokenizer tok) {
        this.tok = tok;
        for (int r = tok.mergeCount() - 1; r >= 0; r--) {
            int[] m = tok.merge(r);
            rank.put(m[0] + "," + m[1], r);
        }
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (!tok.isSpecial(id)) {
                byBytes.putIfAbsent(new String(tok.tokenBytes(id), StandardCharsets.ISO_8859_1), id);
            }
        }
    }

    /** Ordinary encoding (no special tokens). */
    List<Integer> encode(String text) {
        List<Integer> out = new ArrayList<>();
        String clean = text.codePoints()
                .map(cp -> Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xFFFD : cp)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        for (String piece : tok.preTokenizer().split(clean)) {
            List<Integer> syms = new ArrayList<>();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                syms.add(byBytes.get(new String(new byte[] {b}, StandardCharsets.ISO_8859_1)));
            }
            while (true) {
                int best = Integer.MAX_VALUE;
                int at = -1;
                for (int i = 0; i + 1 < syms.size(); i++) {
                    Integer r = rank.get(syms.get(i) + "," + syms.get(i + 1));
                    if (r != null && r < best) {
                        best = r;
                        at = i;
                    }
                }
                if (at < 0) {
                    break;
                }
                syms.set(at, tok.merge(best)[2]);
                syms.remove(at + 1);
            }
            out.addAll(syms);
        }
        return out;
    }
}
