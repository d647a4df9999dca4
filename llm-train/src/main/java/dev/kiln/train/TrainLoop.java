package dev.kiln.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.kiln.core.hash.SplitMix64;
import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.metrics.MetricsSink;
import dev.kiln.train.metrics.RunInfo;
import dev.kiln.train.metrics.StepMetrics;
import dev.kiln.train.optim.AdamW;
import dev.kiln.train.optim.LossScaler;
import dev.kiln.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of a {@link Trainer} (DJL's {@code EasyTrain.fit} role): resume, then per step
 * the micro-batches, the divergence check, the optimizer step, metrics, validation and checkpoints.
 */
final class TrainLoop {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainSettings s;
    private final GptModel model;
    private final Engine engine;
    private final AdamW optimizer;
    private final DataLoader loader;
    private final LrSchedule schedule;
    private final LossScaler scaler;
    private final Map<String, Object> deviceInfo;
    private final TrainCheckpoint checkpoint;
    private final double flopsPerToken;
    private long step;
    private long tokensSeen;

    TrainLoop(
            TrainSettings s,
            GptModel model,
            Engine engine,
            AdamW optimizer,
            DataLoader loader,
            LrSchedule schedule,
            LossScaler scaler,
            Map<String, Object> deviceInfo) {
        this.s = s;
        this.model = model;
        this.engine = engine;
        this.optimizer = optimizer;
        this.loader = loader;
        this.schedule = schedule;
        this.scaler = scaler;
        this.deviceInfo = deviceInfo;
        this.checkpoint = new TrainCheckpoint(s, model, optimizer, loader, schedule, scaler, deviceInfo);
        this.flopsPerToken = s.modelConfig.flopsPerToken(s.train.seqLen());
    }

    long step() {
        return step;
    }

    TrainResult fit() throws IOException {
        long resumedFrom = 0;
        if (s.resume && s.saveFolder != null) {
            var newest = Checkpoints.newestValid(s.saveFolder);
            if (newest.isPresent()) {
                TrainCheckpoint.Position at = checkpoint.restore(newest.get());
                step = at.step();
                tokensSeen = at.tokensSeen();
                resumedFrom = step;
                LOG.info("resumed from {} (step {})", newest.get(), step);
            }
        }
        RunInfo info = RunInfo.startingNow(
                s.runConfig,
                s.modelConfig.toMap(),
                model.countParameters(),
                (long) s.tokensPerStep(),
                s.maxSteps,
                resumedFrom,
                s.saveFolder,
                deviceInfo.get("device") + " (libtorch " + deviceInfo.get("libtorch") + ", " + deviceInfo.get("flavor")
                        + ")",
                s.precision.wireName(),
                s.inputs,
                s.seed);
        for (MetricsSink sink : s.sinks) {
            sink.onStart(info);
        }
        double lastLoss = Double.NaN;
        double lastVal = Double.NaN;
        Path lastCkpt = null;
        List<Double> times = new ArrayList<>();
        int tokensPerStep = s.tokensPerStep();
        long rss = 0;
        int arrays = 0;
        while (step < s.maxSteps) {
            double lr = schedule.at(step);
            JniUtils.setSeed(mix(s.seed, step));
            long t0 = System.nanoTime();
            double[] lossNorm = optimizerStep(lr);
            lastLoss = lossNorm[0];
            double norm = lossNorm[1];
            double ms = (System.nanoTime() - t0) / 1e6;
            times.add(ms);
            step++;
            tokensSeen += tokensPerStep;
            if (step % 10 == 1 || step == s.maxSteps) {
                rss = residentBytes();
                arrays = model.manager().getManagedArrays().size();
            }
            double tps = tokensPerStep / (ms / 1000);
            double mfu = s.peakFlops > 0 ? flopsPerToken * tps / s.peakFlops : 0;
            StepMetrics m = new StepMetrics(
                    step,
                    lastLoss,
                    lr,
                    norm,
                    tps,
                    mfu,
                    ms,
                    Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(),
                    rss,
                    arrays);
            for (MetricsSink sink : s.sinks) {
                sink.onStep(m);
            }
            boolean last = step == s.maxSteps;
            if (s.val != null && s.evalInterval > 0 && (step % s.evalInterval == 0 || last)) {
                lastVal = evaluate();
                for (MetricsSink sink : s.sinks) {
                    sink.onEval(step, lastVal);
                }
            }
            if (s.saveFolder != null && ((s.saveInterval > 0 && step % s.saveInterval == 0) || last)) {
                lastCkpt = checkpoint.save(step, tokensSeen, lastLoss, lastVal);
                for (MetricsSink sink : s.sinks) {
                    sink.onCheckpoint(step, lastCkpt);
                }
            }
        }
        double[] sorted =
                times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
        return new TrainResult(step, resumedFrom, lastLoss, lastVal, lastCkpt, median);
    }

    double evaluate() {
        return Validation.meanLoss(model, s.val, s.batchSize, s.evalBatches);
    }

    /**
     * One optimizer step over {@code grad_accum} micro-batches: returns the mean loss and the
     * gradient norm (unscaled). A float16 overflow skips the update and backs the loss scale off.
     */
    private double[] optimizerStep(double lr) throws IOException {
        long[] shape = {s.batchSize, s.train.seqLen()};
        float invAccum = 1f / s.gradAccum;
        double lossSum = 0;
        try (NDManager sm = model.manager().newSubManager()) {
            optimizer.zeroGrad();
            float lossScale = scaler == null ? 1f : scaler.scale();
            HalfWeights half = scaler == null ? null : model.halfWeights(sm);
            for (int a = 0; a < s.gradAccum; a++) {
                DataLoader.Batch batch = loader.next();
                // Each micro-batch's activations live in their own scope, freed before the next
                // one starts (the gradients accumulate in the parameters' own arrays), so peak
                // memory does not grow with grad_accum.
                try (NDManager mb = sm.newSubManager();
                        GradientCollector gc = engine.newGradientCollector()) {
                    NDArray x = mb.create(batch.inputs(), new Shape(shape));
                    NDArray y = mb.create(batch.targets(), new Shape(shape));
                    NDArray loss = half == null ? model.loss(x, y, true) : model.loss(x, y, true, half);
                    float factor = lossScale * (s.gradAccum == 1 ? 1f : invAccum);
                    gc.backward(factor == 1f ? loss : loss.mul(factor));
                    lossSum += loss.getFloat();
                }
            }
            List<NDArray> grads = half == null ? null : half.gradients();
            double norm = optimizer.globalNorm(sm, grads);
            if (s.overflowAtStep == step + 1) {
                norm = Double.POSITIVE_INFINITY; // test hook: an overflow in this step's gradients
            }
            double loss = lossSum / s.gradAccum;
            boolean applied = true;
            if (scaler != null) {
                applied = scaler.update(Double.isFinite(norm) && Double.isFinite(loss));
                norm /= lossScale;
            }
            Divergence.check(applied, loss, norm, lr, scaler, step + 1, s.saveFolder);
            if (applied) {
                optimizer.step(lr, AdamW.clipScale(norm, s.gradClip) / lossScale, grads);
            } else {
                LOG.info(
                        "step {}: gradients overflowed in float16; step skipped, loss scale now {}",
                        step + 1,
                        scaler.scale());
            }
            return new double[] {loss, norm};
        }
    }

    static long mix(long seed, long step) {
        return SplitMix64.mix64(seed * SplitMix64.GOLDEN_GAMMA + step + 1) & Long.MAX_VALUE;
    }

    private static long residentBytes() {
        try {
            String st = Files.readString(Path.of("/proc/self/statm"));
            return Long.parseLong(st.split(" ")[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
