package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.tokenizer.FimTemplate;
import java.util.List;
import java.util.Objects;

/**
 * One generation request.
 *
 * <pre>{@code
 * GenerationRequest r = GenerationRequest.builder()
 *     .setPrompt("public int add(int a, int b) {")
 *     .optSuffix("\n}")              // fill in the middle
 *     .optMaxTokens(32)
 *     .optTemperature(0.2).optTopP(0.95).optSeed(7)
 *     .optStop(List.of("\n\n"))
 *     .build();
 * }</pre>
 */
public final class GenerationRequest {

    private final String prompt;
    private final int[] promptIds;
    private final String suffix;
    private final int maxTokens;
    private final SamplingParams sampling;
    private final List<String> stop;
    private final boolean stopAtEndOfText;

    private GenerationRequest(Builder b) {
        this.prompt = b.prompt;
        this.promptIds = b.promptIds;
        this.suffix = b.suffix;
        this.maxTokens = b.maxTokens;
        this.sampling = new SamplingParams(b.temperature, b.topP, b.topK, b.seed);
        this.stop = List.copyOf(b.stop);
        this.stopAtEndOfText = b.stopAtEndOfText;
    }

    /** A builder; a prompt (text or ids) is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The prompt text, or {@code null} when given as ids. */
    public String prompt() {
        return prompt;
    }

    /** The prompt ids, or {@code null} when given as text. */
    public int[] promptIds() {
        return promptIds == null ? null : promptIds.clone();
    }

    /** Text after the cursor for fill-in-the-middle, or {@code null}. */
    public String suffix() {
        return suffix;
    }

    /** The most tokens to generate. */
    public int maxTokens() {
        return maxTokens;
    }

    /** Temperature, top-p, top-k and seed. */
    public SamplingParams sampling() {
        return sampling;
    }

    /** Strings that end the generation; the text returned stops before the first one. */
    public List<String> stop() {
        return stop;
    }

    /** Whether the end-of-text token ends the generation (true unless turned off). */
    public boolean stopAtEndOfText() {
        return stopAtEndOfText;
    }

    /**
     * The prompt as ids for {@code model}: the text encoded, or the FIM layout when a suffix is
     * given.
     *
     * @throws IllegalArgumentException if a suffix is given but the model has no FIM template
     */
    public int[] resolvePromptIds(LanguageModel model) {
        if (suffix != null) {
            FimTemplate fim = model.fimTemplate()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "model '" + model.id() + "' has no fill-in-the-middle tokens, so 'suffix' cannot be used"));
            return fim.build(
                    model.tokenizer(), prompt == null ? model.tokenizer().decode(promptIds) : prompt, suffix);
        }
        return promptIds != null ? promptIds.clone() : model.tokenizer().encode(prompt);
    }

    /** Builder; values are checked when set. */
    public static final class Builder {
        private String prompt;
        private int[] promptIds;
        private String suffix;
        private int maxTokens = 128;
        private double temperature = 0;
        private double topP = 1;
        private int topK = 0;
        private long seed = 0;
        private List<String> stop = List.of();
        private boolean stopAtEndOfText = true;

        private Builder() {}

        /** The prompt as text (replaces prompt ids set before). */
        public Builder setPrompt(String prompt) {
            this.prompt = Objects.requireNonNull(prompt, "prompt");
            this.promptIds = null;
            return this;
        }

        /** The prompt as token ids, copied (replaces a text prompt set before). */
        public Builder setPromptIds(int[] ids) {
            requireArgument(ids != null, "prompt ids must not be null");
            this.promptIds = ids.clone();
            this.prompt = null;
            return this;
        }

        /** Text after the hole, for fill-in-the-middle (default: none). */
        public Builder optSuffix(String suffix) {
            this.suffix = suffix;
            return this;
        }

        /** The most tokens to generate, >= 0. */
        public Builder optMaxTokens(int maxTokens) {
            requireArgument(maxTokens >= 0, "max_tokens must be >= 0, got %s", maxTokens);
            this.maxTokens = maxTokens;
            return this;
        }

        /** Sampling temperature, finite and >= 0; 0 is greedy. */
        public Builder optTemperature(double temperature) {
            requireArgument(
                    temperature >= 0 && !Double.isInfinite(temperature),
                    "temperature must be a finite number >= 0, got %s",
                    temperature);
            this.temperature = temperature;
            return this;
        }

        /** Nucleus sampling: keep the most likely tokens up to this probability mass, in (0, 1]. */
        public Builder optTopP(double topP) {
            requireArgument(topP > 0 && topP <= 1, "top_p must be in (0, 1], got %s", topP);
            this.topP = topP;
            return this;
        }

        /** Keep only the {@code topK} most likely tokens; 0 turns it off. */
        public Builder optTopK(int topK) {
            requireArgument(topK >= 0, "top_k must be >= 0 (0 = off), got %s", topK);
            this.topK = topK;
            return this;
        }

        /** The sampler's seed: the same seed and request give the same tokens. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Strings that end the generation (none empty), copied. */
        public Builder optStop(List<String> stop) {
            for (String s : stop) {
                requireArgument(s != null && !s.isEmpty(), "stop strings must not be empty, got %s", stop);
            }
            this.stop = List.copyOf(stop);
            return this;
        }

        /** Whether the end-of-text token ends the generation (default true). */
        public Builder optStopAtEndOfText(boolean stopAtEndOfText) {
            this.stopAtEndOfText = stopAtEndOfText;
            return this;
        }

        /** @throws IllegalStateException when neither a prompt nor prompt ids were set */
        public GenerationRequest build() {
            if (prompt == null && promptIds == null) {
                throw new IllegalStateException("setPrompt(...) or setPromptIds(...) is required");
            }
            return new GenerationRequest(this);
        }
    }
}
