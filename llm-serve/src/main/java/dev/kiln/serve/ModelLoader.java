package dev.kiln.serve;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.metrics.ServeMetrics;
import dev.kiln.serve.openai.ServingState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the served model up in the background: loads (or takes) the instances, settles the FIM
 * layout and the id, builds the engine over them and publishes the result to the HTTP layer; at
 * shutdown, closes the instances it loaded. Holds its settings in final fields, copied from
 * {@link Server.Builder} at {@code build()}.
 */
final class ModelLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private final LanguageModel model;
    private final Callable<? extends LanguageModel> loader;
    private final int instances;
    private final String modelId;
    private final FimTemplate fimTemplate;
    private final FimTemplate.Mode fimMode;
    private final EngineSettings engine;
    private final CountDownLatch settled = new CountDownLatch(1);
    private final List<LanguageModel> owned = new ArrayList<>();

    /** The batching knobs of {@link Engine.Builder}; null keeps the engine's default. */
    record EngineSettings(
            Integer maxBatchSize,
            Integer maxQueueSize,
            Duration maxQueueDelay,
            Duration requestTimeout,
            Integer prefillChunk,
            Double prefillSlowdown,
            boolean prefillLane) {

        Engine build(List<LanguageModel> models, ServeMetrics metrics) {
            Engine.Builder b = Engine.builder().setModels(models).optMetrics(metrics);
            b.optRequestTimeout(requestTimeout); // null = none, so always set: the server has its own default
            if (maxBatchSize != null) {
                b.optMaxBatchSize(maxBatchSize);
            }
            if (maxQueueSize != null) {
                b.optMaxQueueSize(maxQueueSize);
            }
            if (maxQueueDelay != null) {
                b.optMaxQueueDelay(maxQueueDelay);
            }
            if (prefillChunk != null) {
                b.optPrefillChunk(prefillChunk);
            }
            if (prefillSlowdown != null) {
                b.optPrefillSlowdown(prefillSlowdown);
            }
            b.optPrefillLane(prefillLane);
            return b.build();
        }
    }

    ModelLoader(
            LanguageModel model,
            Callable<? extends LanguageModel> loader,
            int instances,
            String modelId,
            FimTemplate fimTemplate,
            FimTemplate.Mode fimMode,
            EngineSettings engine) {
        this.model = model;
        this.loader = loader;
        this.instances = instances;
        this.modelId = modelId;
        this.fimTemplate = fimTemplate;
        this.fimMode = fimMode;
        this.engine = engine;
    }

    /** Loads on a daemon thread, then publishes to {@code state} (the model, or why it failed). */
    void startLoading(ServingState state, ServeMetrics metrics) {
        Thread.ofPlatform().name("kiln-model-loader").daemon(true).start(() -> load(state, metrics));
    }

    private void load(ServingState state, ServeMetrics metrics) {
        try {
            List<LanguageModel> models = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                models.add(model != null ? model : loadOne());
            }
            LanguageModel first = models.get(0);
            FimTemplate t =
                    fimTemplate != null ? fimTemplate : first.fimTemplate().orElse(null);
            if (t != null && fimMode != null) {
                t = t.withMode(fimMode);
            }
            String id = modelId != null ? modelId : first.id();
            state.publish(new ServingState.Loaded(engine.build(models, metrics), first, id, t));
            LOG.info(
                    "model '{}' ready: {} instance(s), context {} tokens, FIM {}",
                    id,
                    models.size(),
                    first.contextLength(),
                    t == null ? "off" : t.mode());
        } catch (Throwable t) {
            state.fail(t);
            LOG.error("loading the model failed: {}", state.loadErrorMessage());
            LOG.debug("model loading failure", t);
        } finally {
            settled.countDown();
        }
    }

    private LanguageModel loadOne() throws Exception {
        LanguageModel m = loader.call();
        if (m == null) {
            throw new IllegalStateException("the model loader returned null");
        }
        synchronized (owned) {
            owned.add(m);
        }
        return m;
    }

    /** Waits until loading succeeded or failed; false when {@code timeout} passed first. */
    boolean awaitSettled(Duration timeout) throws InterruptedException {
        return settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes the instances this loader loaded (not a model the caller passed in). */
    void closeOwned() {
        synchronized (owned) {
            for (LanguageModel m : owned) {
                try {
                    m.close();
                } catch (RuntimeException ex) {
                    LOG.warn("closing model '{}' failed", m.id(), ex);
                }
            }
            owned.clear();
        }
    }
}
