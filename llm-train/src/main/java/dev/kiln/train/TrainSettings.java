package dev.kiln.train;

import ai.djl.Device;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.data.TokenSequences;
import dev.kiln.train.metrics.MetricsSink;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@link Trainer.Builder} setting, copied into final fields when the trainer is built:
 * changing the builder afterwards does not change a live trainer.
 */
final class TrainSettings {
    final GptConfig modelConfig;
    final Tokenizer tokenizer;
    final TokenSequences train;
    final TokenSequences val;
    final Path saveFolder;
    final long seed;
    final int batchSize;
    final int gradAccum;
    final long maxSteps;
    final double lr;
    final double minLr;
    final long warmupSteps;
    final double gradClip;
    final int evalInterval;
    final int evalBatches;
    final int saveInterval;
    final int keepLast;
    final boolean resume;
    final Map<String, float[]> initialValues;
    final Precision precision;
    final float initialLossScale;
    final long overflowAtStep;
    final Device device;
    final int intraOpThreads;
    final int interOpThreads;
    final double peakFlops;
    final List<MetricsSink> sinks;
    final Map<String, Object> runConfig;
    final List<String> inputs;
    final List<AutoCloseable> resources;

    TrainSettings(Trainer.Builder b) {
        this.modelConfig = b.modelConfig;
        this.tokenizer = b.tokenizer;
        this.train = b.train;
        this.val = b.val;
        this.saveFolder = b.saveFolder;
        this.seed = b.seed;
        this.batchSize = b.batchSize;
        this.gradAccum = b.gradAccum;
        this.maxSteps = b.maxSteps;
        this.lr = b.lr;
        this.minLr = b.minLr;
        this.warmupSteps = b.warmupSteps;
        this.gradClip = b.gradClip;
        this.evalInterval = b.evalInterval;
        this.evalBatches = b.evalBatches;
        this.saveInterval = b.saveInterval;
        this.keepLast = b.keepLast;
        this.resume = b.resume;
        this.initialValues = b.initialValues;
        this.precision = b.precision;
        this.initialLossScale = b.initialLossScale;
        this.overflowAtStep = b.overflowAtStep;
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.interOpThreads = b.interOpThreads;
        this.peakFlops = b.peakFlops;
        this.sinks = List.copyOf(b.sinks);
        this.runConfig = Collections.unmodifiableMap(new LinkedHashMap<>(b.runConfig));
        this.inputs = List.copyOf(b.inputs);
        this.resources = List.copyOf(b.resources);
    }

    /** Tokens one optimizer step consumes. */
    int tokensPerStep() {
        return batchSize * gradAccum * train.seqLen();
    }
}
