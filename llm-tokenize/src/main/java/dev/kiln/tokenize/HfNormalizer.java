package dev.kiln.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code normalizer} of a {@code tokenizer.json}: {@code NFC}, {@code NFD}, {@code NFKC},
 * {@code NFKD}, {@code Lowercase}, {@code Strip}, {@code Prepend}, {@code Replace} (string pattern)
 * and {@code Sequence} of these, applied as Hugging Face does; anything else is rejected when the
 * file is read. Immutable.
 */
final class HfNormalizer {

    private interface Step {
        String apply(String s);
    }

    private final List<Step> steps;
    private final String json;

    private HfNormalizer(List<Step> steps, String json) {
        this.steps = steps;
        this.json = json;
    }

    /** The normalizer {@code node} describes, or null for none. */
    static HfNormalizer parse(Path file, JsonNode node) throws CorruptArtifactException {
        if (node == null || node.isNull()) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        add(file, node, steps);
        return new HfNormalizer(steps, node.toString());
    }

    private static void add(Path file, JsonNode n, List<Step> steps) throws CorruptArtifactException {
        String type = n.path("type").asText("");
        switch (type) {
            case "Sequence":
                for (JsonNode c : n.path("normalizers")) {
                    add(file, c, steps);
                }
                return;
            case "NFC":
                steps.add(s -> Normalizer.normalize(s, Normalizer.Form.NFC));
                return;
            case "NFD":
                steps.add(s -> Normalizer.normalize(s, Normalizer.Form.NFD));
                return;
            case "NFKC":
                steps.add(s -> Normalizer.normalize(s, Normalizer.Form.NFKC));
                return;
            case "NFKD":
                steps.add(s -> Normalizer.normalize(s, Normalizer.Form.NFKD));
                return;
            case "Lowercase":
                steps.add(HfNormalizer::lowercase);
                return;
            case "Strip":
                boolean left = n.path("strip_left").asBoolean(false);
                boolean right = n.path("strip_right").asBoolean(false);
                steps.add(s -> strip(s, left, right));
                return;
            case "Prepend":
                String pre = n.path("prepend").asText("");
                steps.add(s -> s.isEmpty() ? s : pre + s);
                return;
            case "Replace":
                JsonNode pattern = n.path("pattern");
                if (!pattern.has("String")) {
                    throw new CorruptArtifactException(
                            file,
                            "normalizer Replace with pattern " + pattern
                                    + " is not supported (Kiln implements string patterns, not regular expressions)");
                }
                String from = pattern.get("String").asText();
                String to = n.path("content").asText("");
                if (from.isEmpty()) {
                    throw new CorruptArtifactException(file, "normalizer Replace has an empty pattern");
                }
                steps.add(s -> s.replace(from, to));
                return;
            default:
                throw new CorruptArtifactException(
                        file,
                        "normalizer " + n + " is not supported: Kiln implements NFC, NFD, NFKC, NFKD, Lowercase,"
                                + " Strip, Prepend, Replace (string pattern) and Sequence of these");
        }
    }

    /** Per code point, as Rust's {@code char::to_lowercase} (no final-sigma context, unlike Java's String). */
    static String lowercase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x130) {
                sb.append("i\u0307");
            } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return sb.toString();
    }

    private static String strip(String s, boolean left, boolean right) {
        int a = 0;
        int b = s.length();
        while (left && a < b && PreTokenizer.isWhiteSpace(s.charAt(a))) {
            a++;
        }
        while (right && b > a && PreTokenizer.isWhiteSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    String apply(String s) {
        for (Step st : steps) {
            s = st.apply(s);
        }
        return s;
    }

    /** The JSON it was read from (written back on save). */
    String json() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }
}
