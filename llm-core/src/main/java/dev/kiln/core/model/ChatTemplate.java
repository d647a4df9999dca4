package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

/**
 * A model's chat template: the Jinja source that lays a conversation out as one prompt (Hugging
 * Face's {@code chat_template} in {@code tokenizer_config.json}), with the special tokens it refers
 * to. Rendering needs a Jinja engine, which llm-serve provides.
 *
 * <pre>{@code
 * model.chatTemplate().ifPresent(t -> System.out.println(t.source()));
 * }</pre>
 *
 * @param source the Jinja template (reads {@code messages}, {@code add_generation_prompt}, {@code
 *     bos_token}, {@code eos_token})
 * @param bosToken the beginning-of-sequence token's text, or "" when the model has none
 * @param eosToken the end-of-sequence token's text, or "" when the model has none
 */
public record ChatTemplate(String source, String bosToken, String eosToken) {

    /** Checks that the template is not blank; null BOS/EOS tokens become {@code ""}. */
    public ChatTemplate {
        requireArgument(source != null && !source.isBlank(), "a chat template must not be blank");
        bosToken = bosToken == null ? "" : bosToken;
        eosToken = eosToken == null ? "" : eosToken;
    }
}
