package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.tokenizer.StreamingDetokenizer;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/** The default {@link LanguageModel#generate} on top of the step-level API. */
final class Generator implements TokenStream {

    private final LanguageModel model;
    private final int[] promptIds;
    private final SamplingParams sampling;
    private final int maxTokens;
    private final int endOfText;
    private final StreamingDetokenizer detok;
    private DecodeSession session;
    private GeneratedToken pending;
    private FinishReason finish;
    private volatile boolean cancelled;
    private int generated;

    private Generator(LanguageModel model, GenerationRequest request) {
        this.model = model;
        int[] ids = request.resolvePromptIds(model);
        if (ids.length == 0) {
            int eot = model.tokenizer()
                    .endOfTextId()
                    .orElseThrow(() -> new IllegalArgumentException("the prompt is empty and model '" + model.id()
                            + "' has no end-of-text token to start from"));
            ids = new int[] {eot};
        }
        requireArgument(
                ids.length < model.contextLength(),
                "the prompt has %s tokens; model '%s' holds %s tokens in its context, so nothing can be generated",
                ids.length,
                model.id(),
                model.contextLength());
        this.promptIds = ids;
        this.sampling = request.sampling();
        this.maxTokens = Math.min(request.maxTokens(), model.contextLength() - ids.length);
        this.endOfText =
                request.stopAtEndOfText() ? model.tokenizer().endOfTextId().orElse(-1) : -1;
        this.detok = new StreamingDetokenizer(model.tokenizer(), request.stop());
    }

    static TokenStream start(LanguageModel model, GenerationRequest request) {
        return new Generator(model, request);
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (finish != null) {
            return false;
        }
        if (cancelled) {
            end(FinishReason.CANCELLED);
            return false;
        }
        if (generated >= maxTokens) {
            String rest = detok.finish();
            end(FinishReason.LENGTH);
            if (!rest.isEmpty()) {
                pending = new GeneratedToken(-1, rest, 0);
                return true;
            }
            return false;
        }
        if (session == null) {
            session = model.open(promptIds, sampling);
        }
        int id = model.step(List.of(session))[0];
        double lp = session.lastLogprob();
        generated++;
        if (id == endOfText) {
            String rest = detok.finish();
            end(FinishReason.STOP);
            pending = new GeneratedToken(id, rest, lp);
            return true;
        }
        String text = detok.push(id);
        if (detok.stopped()) {
            end(FinishReason.STOP);
        } else if (generated >= maxTokens) {
            text = text + detok.finish();
            end(FinishReason.LENGTH);
        }
        pending = new GeneratedToken(id, text, lp);
        return true;
    }

    @Override
    public GeneratedToken next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the generation has ended (" + finish + ")");
        }
        GeneratedToken t = pending;
        pending = null;
        return t;
    }

    private void end(FinishReason reason) {
        finish = reason;
        if (session != null) {
            session.close();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public Optional<FinishReason> finishReason() {
        return Optional.ofNullable(finish);
    }

    @Override
    public int promptTokens() {
        return promptIds.length;
    }

    @Override
    public void close() {
        if (finish == null) {
            end(FinishReason.CANCELLED);
        }
        pending = null;
    }
}
