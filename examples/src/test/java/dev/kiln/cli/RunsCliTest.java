package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llm runs list} and {@code llm runs compare} over two quickstart-style runs trained by
 * {@code llm train}, then the run page and the comparison opened in headless Chromium: every chart
 * drawn, with both axes' ticks and labels laid out inside the plot, and its lines.
 */
class RunsCliTest {

    static final List<String> CHARTS = List.of(
            "chart-loss",
            "chart-loss-tokens",
            "chart-lr",
            "chart-grad-norm",
            "chart-tokens-per-s",
            "chart-mfu",
            "chart-step-ms",
            "chart-memory",
            "chart-native-arrays");

    /** Per chart: id, SVG size, each axis' visible tick labels and title, visible lines, note. */
    static final String MEASURE = """
            JSON.stringify(Array.from(document.querySelectorAll('figure.chart')).map(f => {
              const svg = f.querySelector('svg.plot');
              const box = svg.getBoundingClientRect();
              const inside = e => { const r = e.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.left >= box.left - 1 && r.right <= box.right + 1
                  && r.top >= box.top - 1 && r.bottom <= box.bottom + 1; };
              const axis = c => { const g = svg.querySelector('g.axis.' + c); if (!g) return null;
                const label = g.querySelector('text.label');
                return { ticks: Array.from(g.querySelectorAll('g.tick text'))
                           .filter(t => t.textContent.trim() !== '' && inside(t)).map(t => t.textContent),
                         label: label && inside(label) ? label.textContent : null }; };
              const lines = Array.from(svg.querySelectorAll('polyline.line')).filter(p => p.getTotalLength() > 0);
              return { id: f.id, width: box.width, height: box.height, x: axis('x'), y: axis('y'),
                       lines: lines.length + svg.querySelectorAll('circle.line').length,
                       colors: Array.from(new Set(lines.map(p => p.getAttribute('stroke')))),
                       raw: svg.querySelectorAll('polyline.raw').length,
                       note: f.querySelector('p.note') ? f.querySelector('p.note').textContent : null };
            }))""";

    static String yaml(String name, double lr) {
        return """
                # quickstart-style: the quickstart's train.yaml shape on a byte tokenizer
                model: {vocab_size: 263, context_length: 32, d_model: 32, heads: 1, layers: 1}
                data: {train: ../code.java, seq_len: 32, batch_size: 4}
                optimizer: {lr: %s, weight_decay: 0.1, grad_clip: 1.0}
                scheduler: {warmup_steps: 2, min_lr: 2.0e-4}
                max_steps: 16
                eval_interval: 4
                eval_batches: 4
                save_interval: 8
                keep_last: 2
                save_folder: %s/checkpoints
                seed: 42
                metrics: {sinks: 'jsonl,html,tensorboard', log_interval: 4}
                """.formatted(lr, name);
    }

    @Test
    void listAndCompareTwoRunsThenCheckEveryChartInChromium(@TempDir Path dir) throws Exception {
        Optional<Path> chromium = HeadlessChromium.find();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(chromium)
                    .as("chromium must be installed in CI (.ci/setup.d/chromium.sh)")
                    .isPresent();
        }
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            code.append("int x")
                    .append(i % 10)
                    .append(" = ")
                    .append(i * 7 % 101)
                    .append(";\n");
        }
        Files.writeString(dir.resolve("code.java"), code);
        Path runs = dir.resolve("runs");
        Files.createDirectories(runs);
        for (String[] r : new String[][] {{"lr-3e-3", "3.0e-3"}, {"lr-1e-3", "1.0e-3"}}) {
            Path y = runs.resolve(r[0] + ".yaml");
            Files.writeString(y, yaml(r[0], Double.parseDouble(r[1])));
            TrainCliTest.Run t = TrainCliTest.run("train", "--config", y.toString());
            assertThat(t.code()).as(t.err()).isZero();
        }

        // `llm eval` on a run's checkpoint folder records its result in that run (latest = step 16).
        TrainCliTest.Run eval = TrainCliTest.run(
                "eval",
                "humaneval",
                "--model",
                runs.resolve("lr-3e-3/checkpoints").toString(),
                "--limit",
                "2",
                "--max-tokens",
                "8",
                "--workers",
                "2",
                "--output",
                dir.resolve("eval").toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("recorded in run " + runs.resolve("lr-3e-3/report.html"));
        assertThat(Files.readString(runs.resolve("lr-3e-3/evals.jsonl")))
                .contains("step-000016", "\"pass@1\":0.0", "\"problems\":2");

        TrainCliTest.Run list = TrainCliTest.run("runs", "list", runs.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines().toList())
                .hasSize(3)
                .satisfies(l -> assertThat(l.get(0)).startsWith("run").contains("status", "val loss", "pass@1"))
                .satisfies(l -> assertThat(l.get(1)).startsWith("lr-1e-3").contains("done", "16/16", "2048"))
                .satisfies(l -> assertThat(l.get(2)).startsWith("lr-3e-3").contains("done", "16/16", "0.0%"));

        Path page = dir.resolve("out/compare.html");
        TrainCliTest.Run cmp = TrainCliTest.run(
                "runs",
                "compare",
                runs.resolve("lr-3e-3").toString(),
                runs.resolve("lr-1e-3").toString(),
                "--smoothing",
                "0.6",
                "--output",
                page.toString());
        assertThat(cmp.code()).as(cmp.err()).isZero();
        assertThat(cmp.out()).contains("compared 2 runs: " + page);
        String html = Files.readString(page);
        assertThat(html).contains("<code>optimizer.lr</code>", "0.003", "0.001", "../runs/lr-3e-3/report.html");
        // A folder of runs works too.
        TrainCliTest.Run all = TrainCliTest.run(
                "runs",
                "compare",
                runs.toString(),
                "--output",
                dir.resolve("all.html").toString());
        assertThat(all.out()).contains("compared 2 runs");

        assertThat(TrainCliTest.run("runs", "compare", dir.resolve("nope").toString(), "--output", "x.html")
                        .err())
                .contains("no such file: " + dir.resolve("nope"))
                .doesNotContain("\tat ");
        Files.createDirectories(dir.resolve("empty"));
        TrainCliTest.Run notRun =
                TrainCliTest.run("runs", "compare", dir.resolve("empty").toString(), "--output", "x.html");
        assertThat(notRun.code()).isEqualTo(2);
        assertThat(notRun.err()).contains(dir.resolve("empty") + " is not a run directory and holds none");
        TrainCliTest.Run badSmooth =
                TrainCliTest.run("runs", "compare", runs.toString(), "--smoothing", "1", "--output", "x.html");
        assertThat(badSmooth.code()).isEqualTo(2);
        assertThat(badSmooth.err()).contains("smoothing must be in [0, 1), got 1.0");
        assertThat(TrainCliTest.run("runs", "list", dir.resolve("empty").toString())
                        .out())
                .contains("no runs under");

        Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed: apt-get install chromium");
        try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), dir)) {
            browser.open(runs.resolve("lr-3e-3/report.html"));
            List<JsonNode> charts = charts(browser);
            List<String> withEval = new ArrayList<>(CHARTS);
            withEval.add("chart-pass-at-1");
            assertThat(charts).extracting(c -> c.path("id").asText()).containsExactlyElementsOf(withEval);
            for (JsonNode c : charts) {
                assertAxes(c);
                if (c.path("id").asText().equals("chart-mfu")) {
                    assertThat(c.path("note").asText()).contains("metrics.peak_flops");
                } else {
                    assertThat(c.path("lines").asInt()).as(c.toString()).isGreaterThanOrEqualTo(1);
                }
            }
            assertThat(charts.get(0).path("lines").asInt())
                    .as("train and val loss")
                    .isEqualTo(2);
            assertThat(browser.eval("document.querySelectorAll('table.checkpoints tr').length")
                            .asInt())
                    .isEqualTo(3); // header + step 8 + step 16
            assertThat(browser.eval("document.body.innerText").asText())
                    .contains(
                            "optimizer.lr", "fp32", "cpu (libtorch 2.7.1, cpu)", "precision", "device", "Evaluations");
            assertThat(browser.eval("document.querySelector('table.checkpoints tr:last-child').innerText")
                            .asText())
                    .contains("16", "python 0.0%");
            Files.write(Path.of("target", "run-report.png"), browser.screenshot());

            browser.open(page);
            List<JsonNode> overlaid = charts(browser);
            assertThat(overlaid).extracting(c -> c.path("id").asText()).containsExactlyElementsOf(withEval);
            Set<String> smoothed =
                    Set.of("chart-loss", "chart-loss-tokens", "chart-grad-norm", "chart-tokens-per-s", "chart-step-ms");
            for (JsonNode c : overlaid) {
                assertAxes(c);
                String id = c.path("id").asText();
                if (!id.equals("chart-mfu") && !id.equals("chart-pass-at-1")) {
                    Set<String> colors = new HashSet<>();
                    c.path("colors").forEach(n -> colors.add(n.asText()));
                    assertThat(colors).as("one colour per run in " + id).hasSize(2);
                }
                if (smoothed.contains(id)) {
                    assertThat(c.path("raw").asInt())
                            .as("faint raw curves under smoothing in " + id)
                            .isPositive();
                } else {
                    assertThat(c.path("raw").asInt())
                            .as("schedules and memory are not smoothed: " + id)
                            .isZero();
                }
            }
            assertThat(overlaid.get(0).path("lines").asInt())
                    .as("2 runs x train/val")
                    .isEqualTo(4);
            assertThat(browser.eval("document.querySelectorAll('table.config-diff tr').length")
                            .asInt())
                    .isGreaterThanOrEqualTo(3); // header, optimizer.lr, save_folder
            byte[] png = browser.screenshot();
            assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            Files.write(Path.of("target", "run-compare.png"), png);
        }
    }

    static List<JsonNode> charts(HeadlessChromium b) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        dev.kiln.core.io.Json.parse(b.eval(MEASURE).asText()).forEach(out::add);
        return out;
    }

    static void assertAxes(JsonNode c) {
        assertThat(c.path("width").asDouble()).as(c.toString()).isGreaterThan(300);
        assertThat(c.path("height").asDouble()).as(c.toString()).isGreaterThan(150);
        for (String axis : List.of("x", "y")) {
            JsonNode a = c.path(axis);
            assertThat(a.path("ticks").size()).as(axis + " ticks of " + c).isGreaterThanOrEqualTo(3);
            assertThat(a.path("label").asText()).as(axis + " label of " + c).isNotBlank();
        }
        assertThat(c.path("x").path("label").asText()).isIn("step", "training tokens");
    }
}
