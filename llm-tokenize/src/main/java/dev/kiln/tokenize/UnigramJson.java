package dev.kiln.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hugging Face {@code tokenizer.json} for {@link UnigramTokenizer}: model {@code Unigram} with
 * {@code byte_fallback}, pre-tokenizer {@code Metaspace} (split, no prefix), decoder {@code
 * Sequence[Replace(▁, " "), ByteFallback, Fuse]}, special tokens as added tokens.
 */
final class UnigramJson {

    private UnigramJson() {}

    static ObjectNode toJson(UnigramTokenizer tok) {
        ObjectNode root = TokenizerFiles.newDocument();
        ArrayNode added = root.putArray("added_tokens");
        for (Map.Entry<String, Integer> e : tok.specialTokens().entrySet()) {
            ObjectNode a = added.addObject();
            a.put("id", e.getValue());
            a.put("content", e.getKey());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", metaspace());
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "Sequence");
        ArrayNode decs = dec.putArray("decoders");
        ObjectNode rep = decs.addObject();
        rep.put("type", "Replace");
        rep.putObject("pattern").put("String", String.valueOf(UnigramModel.SPACE));
        rep.put("content", " ");
        decs.addObject().put("type", "ByteFallback");
        decs.addObject().put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", tok.unknownId());
        ArrayNode vocab = model.putArray("vocab");
        UnigramModel m = tok.model();
        for (int i = 0; i < m.size(); i++) {
            vocab.addArray().add(m.pieces[i]).add(m.scores[i]);
        }
        model.put("byte_fallback", true);
        return root;
    }

    static ObjectNode metaspace() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "Metaspace");
        n.put("replacement", String.valueOf(UnigramModel.SPACE));
        n.put("prepend_scheme", "never");
        n.put("split", true);
        return n;
    }

    static void write(UnigramTokenizer tok, Path file) throws IOException {
        AtomicFiles.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(tok)));
    }

    static UnigramTokenizer read(Path file) throws IOException {
        return fromJson(file, TokenizerFiles.readObject(file));
    }

    static UnigramTokenizer fromJson(Path file, JsonNode root) throws IOException {
        if (!root.path("model").isObject()) {
            throw new CorruptArtifactException(file, "has no 'model' object (not a Hugging Face tokenizer.json)");
        }
        JsonNode model = root.get("model");
        if (!"Unigram".equals(model.path("type").asText())) {
            throw new CorruptArtifactException(
                    file,
                    "model type '" + model.path("type").asText() + "' is not Unigram (load it with BpeTokenizer)");
        }
        for (String k : new String[] {"truncation", "padding", "normalizer", "post_processor"}) {
            if (root.hasNonNull(k)) {
                throw new CorruptArtifactException(
                        file, k + " " + root.get(k) + " is not supported by Kiln's Unigram tokenizer (expected null)");
            }
        }
        JsonNode pre = root.path("pre_tokenizer");
        boolean metaspace = "Metaspace".equals(pre.path("type").asText())
                && String.valueOf(UnigramModel.SPACE)
                        .equals(pre.path("replacement").asText())
                && pre.path("split").asBoolean(true)
                && ("never".equals(pre.path("prepend_scheme").asText())
                        || (!pre.has("prepend_scheme")
                                && !pre.path("add_prefix_space").asBoolean(true)));
        if (!metaspace) {
            throw new CorruptArtifactException(
                    file,
                    "pre_tokenizer " + pre + " is not supported: Kiln's Unigram reads Metaspace(replacement ▁,"
                            + " split, prepend_scheme never)");
        }
        JsonNode dec = root.path("decoder");
        if (!dec.equals(toDecoder())) {
            throw new CorruptArtifactException(
                    file,
                    "decoder " + dec
                            + " is not supported: Kiln's Unigram reads Sequence[Replace(▁, \" \"), ByteFallback,"
                            + " Fuse]");
        }
        if (!model.path("byte_fallback").asBoolean(false)) {
            throw new CorruptArtifactException(
                    file, "model.byte_fallback must be true (Kiln's Unigram encodes any text)");
        }
        JsonNode vocab = model.path("vocab");
        if (!vocab.isArray() || vocab.isEmpty()) {
            throw new CorruptArtifactException(file, "model.vocab must be a non-empty array of [piece, score]");
        }
        String[] pieces = new String[vocab.size()];
        double[] scores = new double[vocab.size()];
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            JsonNode e = vocab.get(i);
            if (!e.isArray()
                    || e.size() != 2
                    || !e.get(0).isTextual()
                    || !e.get(1).isNumber()) {
                throw new CorruptArtifactException(file, "model.vocab[" + i + "] " + e + " is not [piece, score]");
            }
            pieces[i] = e.get(0).asText();
            scores[i] = e.get(1).asDouble();
            if (pieces[i].isEmpty() || ids.put(pieces[i], i) != null) {
                throw new CorruptArtifactException(
                        file, "model.vocab[" + i + "] '" + pieces[i] + "' is empty or listed twice");
            }
        }
        JsonNode unk = model.path("unk_id");
        if (!unk.canConvertToInt() || unk.asInt() < 0 || unk.asInt() >= pieces.length) {
            throw new CorruptArtifactException(file, "model.unk_id " + unk + " is not an id of the vocab");
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (JsonNode a : root.path("added_tokens")) {
            String content = a.path("content").asText("");
            boolean plain = a.path("special").asBoolean(false)
                    && !a.path("single_word").asBoolean(false)
                    && !a.path("lstrip").asBoolean(false)
                    && !a.path("rstrip").asBoolean(false)
                    && !a.path("normalized").asBoolean(false);
            if (!plain) {
                throw new CorruptArtifactException(
                        file,
                        "added token " + a + " is not supported: Kiln's Unigram reads special tokens without flags");
            }
            Integer id = ids.get(content);
            if (id == null || id != a.path("id").asInt(-1)) {
                throw new CorruptArtifactException(
                        file,
                        "added token '" + content + "' must be in model.vocab with the same id, got " + a.path("id"));
            }
            specials.put(content, id);
        }
        return new UnigramTokenizer(new UnigramModel(pieces, scores, unk.asInt()), specials);
    }

    private static JsonNode toDecoder() {
        return toJson(new UnigramTokenizer(
                        new UnigramModel(new String[] {UnigramTokenizer.UNK}, new double[] {0}, 0), Map.of()))
                .get("decoder");
    }
}
