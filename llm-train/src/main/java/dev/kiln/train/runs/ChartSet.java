package dev.kiln.train.runs;

import dev.kiln.train.runs.Charts.Chart;
import dev.kiln.train.runs.Charts.Line;
import dev.kiln.train.runs.Charts.Unit;
import java.util.ArrayList;
import java.util.List;

/** The charts of the run page and of the comparison, for one run or several (one colour each). */
final class ChartSet {

    /** A run drawn in a colour. */
    record Drawn(Run run, String label, String color) {}

    private ChartSet() {}

    static List<Chart> charts(List<Drawn> runs) {
        boolean one = runs.size() == 1;
        List<Chart> out = new ArrayList<>();
        List<Line> loss = new ArrayList<>();
        List<Line> lossTokens = new ArrayList<>();
        boolean tokensKnown = false;
        for (Drawn d : runs) {
            Series train = d.run().history().series("loss");
            Series val = d.run().history().series("val_loss");
            String trainColor = d.color();
            String valColor = one ? Charts.PALETTE.get(3) : d.color();
            loss.add(new Line(name(one, d, "train"), trainColor, train, false, true));
            loss.add(new Line(name(one, d, "val"), valColor, val, !one));
            long tps = d.run().tokensPerStep();
            if (tps > 0) {
                tokensKnown = true;
                lossTokens.add(new Line(name(one, d, "train"), trainColor, train.scaleSteps(tps), false, true));
                lossTokens.add(new Line(name(one, d, "val"), valColor, val.scaleSteps(tps), !one));
            }
        }
        out.add(new Chart("loss", "Loss by step", "step", "loss (nats/token)", Unit.PLAIN, loss, null));
        out.add(new Chart(
                "loss-tokens",
                "Loss by tokens",
                "training tokens",
                "loss (nats/token)",
                Unit.PLAIN,
                lossTokens,
                tokensKnown ? null : "tokens per step unknown (no run.json)"));
        out.add(simple(runs, "lr", "Learning rate", "lr", "learning rate", Unit.PLAIN, null, false));
        out.add(simple(
                runs,
                "grad-norm",
                "Gradient norm",
                "grad_norm",
                "global norm (before clipping)",
                Unit.PLAIN,
                null,
                true));
        out.add(simple(runs, "tokens-per-s", "Throughput", "tokens_per_s", "tokens/s", Unit.PLAIN, null, true));
        boolean mfu =
                runs.stream().anyMatch(d -> d.run().history().series("mfu").median() > 0);
        out.add(simple(
                runs,
                "mfu",
                "Model FLOPs utilisation",
                mfu ? "mfu" : null,
                "MFU",
                Unit.PERCENT,
                mfu ? null : "MFU is not reported: set metrics.peak_flops to the device's peak FLOP/s",
                true));
        out.add(simple(runs, "step-ms", "Step time", "step_ms", "milliseconds", Unit.PLAIN, null, true));
        List<Line> mem = new ArrayList<>();
        for (Drawn d : runs) {
            mem.add(new Line(name(one, d, "RSS"), d.color(), d.run().history().series("rss_bytes"), false));
            if (one) {
                mem.add(new Line(
                        "Java heap", Charts.PALETTE.get(2), d.run().history().series("heap_bytes"), true));
            }
        }
        out.add(new Chart("memory", "Memory", "step", "MiB", Unit.MIB, mem, null));
        out.add(simple(
                runs,
                "native-arrays",
                "Live native arrays",
                "native_arrays",
                "NDArrays alive",
                Unit.PLAIN,
                "flat in a healthy run; a climb is a native-memory leak",
                false));
        List<Line> pass = new ArrayList<>();
        for (Drawn d : runs) {
            List<EvalResult> evals = d.run().evals().stream()
                    .filter(e -> Double.isFinite(e.passAt1()))
                    .sorted(java.util.Comparator.comparingLong(EvalResult::step))
                    .toList();
            if (!evals.isEmpty()) {
                double[] x = evals.stream().mapToDouble(EvalResult::step).toArray();
                double[] y = evals.stream().mapToDouble(EvalResult::passAt1).toArray();
                pass.add(new Line(name(one, d, "pass@1"), d.color(), new Series("pass@1", x, y), false));
            }
        }
        if (!pass.isEmpty()) {
            out.add(new Chart(
                    "pass-at-1", "HumanEval pass@1 by checkpoint", "step", "pass@1", Unit.PERCENT, pass, null));
        }
        return out;
    }

    private static String name(boolean one, Drawn d, String what) {
        return one ? what : d.label() + " " + what;
    }

    private static Chart simple(
            List<Drawn> runs,
            String id,
            String title,
            String metric,
            String yLabel,
            Unit unit,
            String note,
            boolean smooth) {
        List<Line> lines = new ArrayList<>();
        if (metric != null) {
            for (Drawn d : runs) {
                lines.add(new Line(
                        runs.size() == 1 ? title : d.label(),
                        d.color(),
                        d.run().history().series(metric),
                        false,
                        smooth));
            }
        }
        return new Chart(id, title, "step", yLabel, unit, lines, note);
    }
}
