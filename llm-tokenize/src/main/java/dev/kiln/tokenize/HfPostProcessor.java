package dev.kiln.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code post_processor} of a {@code tokenizer.json}, for single sequences: the ids put before
 * and after the encoded text when special tokens are added ({@code TemplateProcessing} such as
 * {@code "<|begin_of_text|> $A"}, {@code RobertaProcessing}, {@code BertProcessing}); {@code
 * ByteLevel} (offsets only) adds nothing; {@code Sequence} chains them. Anything else is rejected
 * when the file is read. Immutable.
 */
final class HfPostProcessor {

    private final int[] prefix;
    private final int[] suffix;
    private final String json;

    private HfPostProcessor(int[] prefix, int[] suffix, String json) {
        this.prefix = prefix;
        this.suffix = suffix;
        this.json = json;
    }

    /** The post-processor {@code node} describes, or null for none. */
    static HfPostProcessor parse(Path file, JsonNode node) throws CorruptArtifactException {
        if (node == null || node.isNull()) {
            return null;
        }
        List<Integer> pre = new ArrayList<>();
        List<Integer> post = new ArrayList<>();
        add(file, node, pre, post);
        return new HfPostProcessor(
                pre.stream().mapToInt(Integer::intValue).toArray(),
                post.stream().mapToInt(Integer::intValue).toArray(),
                node.toString());
    }

    private static void add(Path file, JsonNode n, List<Integer> pre, List<Integer> post)
            throws CorruptArtifactException {
        String type = n.path("type").asText("");
        switch (type) {
            case "ByteLevel":
                return;
            case "Sequence":
                for (JsonNode c : n.path("processors")) {
                    add(file, c, pre, post);
                }
                return;
            case "RobertaProcessing":
            case "BertProcessing":
                int cls = idOf(file, n, "cls");
                int sep = idOf(file, n, "sep");
                pre.add(0, cls);
                post.add(sep);
                return;
            case "TemplateProcessing":
                template(file, n, pre, post);
                return;
            default:
                throw new CorruptArtifactException(
                        file,
                        "post_processor " + n + " is not supported: Kiln implements ByteLevel, TemplateProcessing,"
                                + " RobertaProcessing, BertProcessing and Sequence of these");
        }
    }

    private static int idOf(Path file, JsonNode n, String field) throws CorruptArtifactException {
        JsonNode pair = n.path(field);
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw new CorruptArtifactException(
                    file,
                    "post_processor " + n.path("type").asText() + "." + field + " must be [token, id], got " + pair);
        }
        return pair.get(1).asInt();
    }

    private static void template(Path file, JsonNode n, List<Integer> pre, List<Integer> post)
            throws CorruptArtifactException {
        JsonNode single = n.path("single");
        if (!single.isArray()) {
            throw new CorruptArtifactException(file, "post_processor TemplateProcessing.single must be an array");
        }
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        boolean seenA = false;
        for (JsonNode piece : single) {
            if (piece.has("Sequence")) {
                String id = piece.get("Sequence").path("id").asText();
                if (!"A".equals(id) || seenA) {
                    throw new CorruptArtifactException(
                            file,
                            "post_processor TemplateProcessing.single " + single
                                    + " is not supported: Kiln encodes single sequences ($A once)");
                }
                seenA = true;
            } else if (piece.has("SpecialToken")) {
                String name = piece.get("SpecialToken").path("id").asText();
                JsonNode sp = n.path("special_tokens").path(name);
                JsonNode ids = sp.path("ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw new CorruptArtifactException(
                            file,
                            "post_processor TemplateProcessing uses special token '" + name
                                    + "' without ids in special_tokens");
                }
                for (JsonNode id : ids) {
                    if (!id.canConvertToInt()) {
                        throw new CorruptArtifactException(
                                file,
                                "post_processor special token '" + name + "' has id " + id + ", expected an integer");
                    }
                    (seenA ? after : before).add(id.asInt());
                }
            } else {
                throw new CorruptArtifactException(
                        file, "post_processor TemplateProcessing piece " + piece + " is not supported");
            }
        }
        if (!seenA) {
            throw new CorruptArtifactException(
                    file, "post_processor TemplateProcessing.single " + single + " has no $A");
        }
        pre.addAll(0, before);
        post.addAll(after);
    }

    int[] prefix() {
        return prefix;
    }

    int[] suffix() {
        return suffix;
    }

    String json() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }
}
