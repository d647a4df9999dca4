package dev.kiln.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code tokenizer.json} for byte-level BPE: model {@code BPE} over GPT-2's
 * byte-to-character alphabet ({@code bytes_to_unicode}), {@code ByteLevel} pre-tokenizer (or
 * {@code Sequence[Split(\p{N}, Isolated), ByteLevel]} for {@link PreTokenizer#code()}), {@code
 * ByteLevel} decoder, special tokens as added tokens.
 */
final class HfTokenizerJson {

    static final String DIGITS_PATTERN = "\\p{N}";

    /** GPT-2's bytes_to_unicode: byte → printable character. */
    static final char[] BYTE_TO_CHAR = new char[256];

    static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = printable[b] ? (char) b : (char) (256 + n++);
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private HfTokenizerJson() {}

    static String toByteLevel(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(c);
    }

    /** The bytes a byte-level token string stands for, or null when it has a character outside the alphabet. */
    static byte[] fromByteLevel(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int v = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (v < 0) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    static ObjectNode byteLevel(boolean useRegex) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", true);
        n.put("use_regex", useRegex);
        return n;
    }

    static ObjectNode toJson(BpeTokenizer tok) {
        ObjectNode root = TokenizerFiles.newDocument();
        ArrayNode added = root.putArray("added_tokens");
        Map<Integer, String> addedNames = new HashMap<>();
        for (AddedToken t : tok.addedTokens()) {
            ObjectNode a = added.addObject();
            a.put("id", t.id());
            a.put("content", t.content());
            a.put("single_word", t.singleWord());
            a.put("lstrip", t.lstrip());
            a.put("rstrip", t.rstrip());
            a.put("normalized", t.normalized());
            a.put("special", t.special());
            addedNames.put(t.id(), t.content());
        }
        root.set(
                "normalizer",
                rawJson(tok.normalizer() == null ? null : tok.normalizer().json()));
        if (tok.preTokenizer().isolatesDigits()) {
            ObjectNode seq = root.putObject("pre_tokenizer");
            seq.put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            ObjectNode split = list.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", DIGITS_PATTERN);
            split.put("behavior", "Isolated");
            split.put("invert", false);
            list.add(byteLevel(true));
        } else {
            root.set("pre_tokenizer", byteLevel(true));
        }
        root.set(
                "post_processor",
                rawJson(tok.postProcessor() == null ? null : tok.postProcessor().json()));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        String[] names = new String[tok.vocabSize()];
        for (int id = 0; id < tok.vocabSize(); id++) {
            byte[] b = tok.rawTokenBytes(id);
            if (b == null) {
                continue;
            }
            names[id] = addedNames.containsKey(id) ? addedNames.get(id) : toByteLevel(b);
            vocab.put(names[id], id);
        }
        ArrayNode merges = model.putArray("merges");
        for (int r = 0; r < tok.mergeCount(); r++) {
            int[] m = tok.merge(r);
            merges.add(names[m[0]] + " " + names[m[1]]);
        }
        return root;
    }

    private static JsonNode rawJson(String json) {
        if (json == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON kept from a loaded tokenizer: " + json, e);
        }
    }

    /** What Hugging Face's ByteLevel decoder gives for an added token: its byte-level bytes, else its UTF-8. */
    static byte[] addedTokenBytes(String content) {
        byte[] b = fromByteLevel(content);
        return b != null ? b : content.getBytes(StandardCharsets.UTF_8);
    }

    static void write(BpeTokenizer tok, Path file) throws IOException {
        byte[] json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(tok));
        AtomicFiles.write(file, json);
    }

    static BpeTokenizer read(Path file) throws IOException {
        return fromJson(file, TokenizerFiles.readObject(file));
    }

    static BpeTokenizer fromJson(Path file, JsonNode root) throws CorruptArtifactException {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new CorruptArtifactException(file, "has no 'model' object (not a Hugging Face tokenizer.json)");
        }
        String type = model.path("type").asText("BPE");
        if (!"BPE".equals(type)) {
            throw new CorruptArtifactException(
                    file, "model type '" + type + "' is not supported (Kiln reads byte-level BPE)");
        }
        HfNormalizer normalizer = HfNormalizer.parse(file, root.get("normalizer"));
        HfPostProcessor post = HfPostProcessor.parse(file, root.get("post_processor"));
        for (String k : new String[] {"truncation", "padding"}) {
            if (root.hasNonNull(k)) {
                throw new CorruptArtifactException(
                        file,
                        k + " " + root.get(k) + " is not supported: Kiln encodes whole texts, unpadded;"
                                + " set it to null (truncate or pad in your code)");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new CorruptArtifactException(
                    file,
                    "model.byte_fallback=true is not supported for a byte-level BPE model (every byte has a token)");
        }
        PreTokenizer pre = preTokenizer(file, root.get("pre_tokenizer"));
        JsonNode dec = root.get("decoder");
        if (dec != null && !dec.isNull() && !"ByteLevel".equals(dec.path("type").asText())) {
            throw new CorruptArtifactException(file, "decoder " + dec + " is not supported (expected ByteLevel)");
        }
        if (model.hasNonNull("dropout") && model.get("dropout").asDouble() != 0) {
            throw new CorruptArtifactException(file, "BPE dropout " + model.get("dropout") + " is not supported");
        }
        for (String k : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (model.hasNonNull(k) && !model.get(k).asText().isEmpty()) {
                throw new CorruptArtifactException(
                        file,
                        "model." + k + " '" + model.get(k).asText() + "' is not supported (byte-level BPE has none)");
            }
        }
        if (model.path("ignore_merges").asBoolean(false)) {
            throw new CorruptArtifactException(file, "model.ignore_merges=true is not supported");
        }
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new CorruptArtifactException(file, "model.vocab must be an object of token -> id");
        }
        Map<String, Integer> added = new LinkedHashMap<>();
        List<AddedToken> addedTokens = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        if (!addedNode.isMissingNode() && !addedNode.isNull() && !addedNode.isArray()) {
            throw new CorruptArtifactException(file, "added_tokens must be an array");
        }
        for (JsonNode a : addedNode) {
            if (!a.path("id").canConvertToInt()
                    || !a.path("content").isTextual()
                    || a.get("content").asText().isEmpty()) {
                throw new CorruptArtifactException(
                        file, "added token " + a + " needs an integer 'id' and a non-empty 'content'");
            }
            String content = a.get("content").asText();
            for (String flag : new String[] {"single_word", "lstrip", "rstrip", "normalized", "special"}) {
                if (a.has(flag) && !a.get(flag).isBoolean()) {
                    throw new CorruptArtifactException(
                            file,
                            "added token '" + content + "' has " + flag + "=" + a.get(flag)
                                    + ", expected true or false");
                }
            }
            // a missing 'special' counts as special (what Kiln read before it knew the flag)
            boolean special = a.path("special").asBoolean(true);
            if (a.get("id").asInt() < 0) {
                throw new CorruptArtifactException(file, "added token '" + content + "' has a negative id");
            }
            if (added.put(content, a.get("id").asInt()) != null) {
                throw new CorruptArtifactException(file, "added token '" + content + "' is listed twice");
            }
            addedTokens.add(AddedToken.of(content, a.get("id").asInt(), special)
                    .withSingleWord(a.path("single_word").asBoolean(false))
                    .withLstrip(a.path("lstrip").asBoolean(false))
                    .withRstrip(a.path("rstrip").asBoolean(false))
                    .withNormalized(a.path("normalized").asBoolean(!special)));
        }
        Map<String, Integer> ids = new HashMap<>();
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new CorruptArtifactException(
                        file, "vocab entry '" + e.getKey() + "' has id " + e.getValue() + ", expected an integer >= 0");
            }
            ids.put(e.getKey(), e.getValue().asInt());
            max = Math.max(max, e.getValue().asInt());
        }
        for (int id : added.values()) {
            max = Math.max(max, id);
        }
        if (max > 50_000_000) {
            throw new CorruptArtifactException(file, "token id " + max + " is implausibly large");
        }
        byte[][] bytes = new byte[max + 1][];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            String t = e.getKey();
            int id = e.getValue();
            byte[] b = added.containsKey(t) ? addedTokenBytes(t) : fromByteLevel(t);
            if (b == null) {
                throw new CorruptArtifactException(
                        file,
                        "token '" + t + "' (id " + id
                                + ") has a character outside GPT-2's byte-level alphabet: not a byte-level BPE vocabulary");
            }
            if (bytes[id] != null) {
                throw new CorruptArtifactException(file, "id " + id + " is used by two tokens");
            }
            bytes[id] = b;
        }
        // Hugging Face gives an added token its vocab id, else the next id after the vocab and the added
        // tokens so far (in file order); a file that says otherwise would encode differently there
        int next = -1;
        for (AddedToken t : addedTokens) {
            Integer inVocab = ids.get(t.content());
            int expected;
            if (inVocab != null) {
                expected = inVocab;
            } else {
                expected = next < 0 || next < ids.size() ? ids.size() : next;
            }
            if (t.id() != expected) {
                throw new CorruptArtifactException(
                        file,
                        "added token '" + t.content() + "' has id " + t.id()
                                + ", but Hugging Face's library gives it id "
                                + expected
                                + (inVocab != null
                                        ? " (its id in model.vocab)"
                                        : " (the next id after the vocab" + " and the added tokens before it)"));
            }
            next = Math.max(next, expected + 1);
        }
        addedTokens.sort((x, y) -> Integer.compare(x.id(), y.id()));
        for (AddedToken t : addedTokens) {
            if (bytes[t.id()] != null && !ids.containsKey(t.content())) {
                throw new CorruptArtifactException(
                        file,
                        "added token '" + t.content() + "' has id " + t.id()
                                + ", which the vocab gives to another token");
            }
            bytes[t.id()] = addedTokenBytes(t.content());
        }
        for (int id : post == null ? new int[0] : concat(post.prefix(), post.suffix())) {
            if (id < 0 || id >= bytes.length || bytes[id] == null) {
                throw new CorruptArtifactException(file, "post_processor uses token id " + id + ", which has no token");
            }
        }
        JsonNode mergesNode = model.get("merges");
        if (mergesNode == null || !mergesNode.isArray()) {
            throw new CorruptArtifactException(file, "model.merges must be an array");
        }
        List<int[]> merges = new ArrayList<>(mergesNode.size());
        int rank = 0;
        for (JsonNode m : mergesNode) {
            String a;
            String b;
            if (m.isTextual()) {
                String s = m.asText();
                int sp = s.indexOf(' ');
                if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
                    throw new CorruptArtifactException(
                            file, "merge #" + rank + " '" + s + "' is not two tokens separated by one space");
                }
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else if (m.isArray()
                    && m.size() == 2
                    && m.get(0).isTextual()
                    && m.get(1).isTextual()) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            } else {
                throw new CorruptArtifactException(
                        file, "merge #" + rank + " " + m + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
            Integer ia = ids.get(a);
            Integer ib = ids.get(b);
            Integer ic = ids.get(a + b);
            if (ia == null || ib == null || ic == null) {
                throw new CorruptArtifactException(
                        file,
                        "merge #" + rank + " '" + a + " " + b + "' uses or produces a token missing from the vocab");
            }
            merges.add(new int[] {ia, ib, ic});
            rank++;
        }
        int[] left = new int[merges.size()];
        int[] right = new int[merges.size()];
        int[] result = new int[merges.size()];
        for (int i = 0; i < merges.size(); i++) {
            left[i] = merges.get(i)[0];
            right[i] = merges.get(i)[1];
            result[i] = merges.get(i)[2];
        }
        return new BpeTokenizer(pre, bytes, left, right, result, addedTokens, normalizer, post);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static PreTokenizer preTokenizer(Path file, JsonNode pre) throws CorruptArtifactException {
        if (pre != null && isByteLevel(pre)) {
            return PreTokenizer.gpt2();
        }
        if (pre != null
                && "Sequence".equals(pre.path("type").asText())
                && pre.path("pretokenizers").size() == 2) {
            JsonNode split = pre.get("pretokenizers").get(0);
            JsonNode bl = pre.get("pretokenizers").get(1);
            boolean digitSplit = "Split".equals(split.path("type").asText())
                    && DIGITS_PATTERN.equals(split.path("pattern").path("Regex").asText())
                    && "Isolated".equals(split.path("behavior").asText())
                    && !split.path("invert").asBoolean(false);
            // Digits(individual_digits) isolates every char::is_numeric, i.e. \p{N}: the same split
            boolean digits = "Digits".equals(split.path("type").asText())
                    && split.path("individual_digits").asBoolean(false);
            if ((digitSplit || digits) && isByteLevel(bl)) {
                return PreTokenizer.code();
            }
        }
        throw new CorruptArtifactException(
                file,
                "pre_tokenizer " + pre + " is not supported: Kiln reads ByteLevel"
                        + " (GPT-2, add_prefix_space=false, use_regex=true) or Sequence[Split(\\p{N}, Isolated) or Digits(individual_digits), ByteLevel] (StarCoder)");
    }

    private static boolean isByteLevel(JsonNode n) {
        return "ByteLevel".equals(n.path("type").asText())
                && !n.path("add_prefix_space").asBoolean(false)
                && n.path("use_regex").asBoolean(true);
    }
}
