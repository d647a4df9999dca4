package dev.kiln.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.kiln.core.model.ChatTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a conversation into a prompt with the model's chat template, using Jinjava (HubSpot's
 * maintained Jinja engine for Java) configured as Hugging Face's {@code apply_chat_template}
 * configures Jinja2: {@code trim_blocks} and {@code lstrip_blocks}, a {@code raise_exception}
 * function, and {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code
 * eos_token} bound.
 *
 * <pre>{@code
 * String prompt = ChatPrompt.render(template, List.of(Map.of("role", "user", "content", "hi")));
 * }</pre>
 */
final class ChatPrompt {

    private static final Jinjava JINJA = create();

    private ChatPrompt() {}

    private static Jinjava create() {
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .build());
        j.getGlobalContext()
                .registerFunction(
                        new ELFunctionDefinition("", "raise_exception", ChatPrompt.class, "raise", String.class));
        return j;
    }

    /** The template's {@code raise_exception(message)}. */
    public static String raise(String message) {
        throw new TemplateRaised(message);
    }

    /** Thrown by a template's {@code raise_exception}. */
    static final class TemplateRaised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaised(String message) {
            super(message);
        }
    }

    /**
     * Renders {@code messages} (each with {@code role} and {@code content}) and the assistant's
     * turn opener.
     *
     * @throws ApiError 400 when the template rejects the conversation or fails
     */
    static String render(ChatTemplate template, List<Map<String, Object>> messages) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", true);
        vars.put("bos_token", template.bosToken());
        vars.put("eos_token", template.eosToken());
        RenderResult r;
        try {
            r = JINJA.renderForResult(template.source(), vars);
        } catch (TemplateRaised e) {
            throw ApiError.badRequest("messages", "the model's chat template rejected the messages: " + e.getMessage());
        } catch (RuntimeException e) {
            throw ApiError.badRequest("messages", "the model's chat template failed: " + e.getMessage());
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                String msg = e.getMessage();
                Throwable cause = e.getException();
                while (cause != null) {
                    if (cause instanceof TemplateRaised raised) {
                        msg = raised.getMessage();
                        throw ApiError.badRequest(
                                "messages", "the model's chat template rejected the messages: " + msg);
                    }
                    cause = cause.getCause();
                }
                throw ApiError.badRequest("messages", "the model's chat template failed: " + msg);
            }
        }
        return r.getOutput();
    }

    /**
     * The {@code messages} of a chat request as template values: an array of objects with a
     * string {@code role} and a {@code content} that is a string or an array of {@code {"type":
     * "text", "text": ...}} parts (joined).
     */
    static List<Map<String, Object>> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            throw ApiError.badRequest(
                    "messages", "'messages' is required: an array of {\"role\", \"content\"} objects");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiError.badRequest(
                    "messages", "'messages' must be a non-empty array of {\"role\", \"content\"} objects");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiError.badRequest(at, "'" + at + "' must be an object with 'role' and 'content'");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || role.asText().isEmpty()) {
                throw ApiError.badRequest(at + ".role", "'" + at + ".role' must be a non-empty string");
            }
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", role.asText());
            msg.put("content", content(m.get("content"), at));
            out.add(msg);
        }
        return out;
    }

    private static String content(JsonNode c, String at) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject()
                        || !"text".equals(part.path("type").asText())
                        || !part.path("text").isTextual()) {
                    throw ApiError.badRequest(
                            at + ".content",
                            "'" + at + ".content' parts must be {\"type\": \"text\", \"text\": string}; this server"
                                    + " takes text only");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiError.badRequest(at + ".content", "'" + at + ".content' must be a string or an array of text parts");
    }
}
