package dev.kiln.cli;

import dev.kiln.train.runs.Run;
import dev.kiln.train.runs.RunComparison;
import dev.kiln.train.runs.RunReport;
import dev.kiln.train.runs.Runs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llm runs}: list, compare and re-render training runs. */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = "Experiment tracking over run directories (metrics.jsonl, run.json, checkpoints, evals.jsonl).",
        subcommands = {RunsCommand.ListCommand.class, RunsCommand.CompareCommand.class, RunsCommand.ReportCommand.class
        })
final class RunsCommand extends CommandGroup {

    /** {@code llm runs list DIR}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Print a table of the runs found under DIR (up to " + Runs.MAX_DEPTH
                    + " levels deep): status, step, tokens, last train/val loss, best val loss, best pass@1.")
    static final class ListCommand extends Subcommand {

        @Parameters(index = "0", paramLabel = "DIR", description = "folder holding run directories (or one run)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            List<Run> runs = Runs.find(dir);
            PrintWriter out = out();
            if (runs.isEmpty()) {
                out.println("no runs under " + dir + " (a run directory holds metrics.jsonl or run.json)");
            } else {
                out.print(Runs.table(runs, dir));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code llm runs compare DIR... --output compare.html}. */
    @Command(
            name = "compare",
            mixinStandardHelpOptions = true,
            description = {
                "Overlay the curves of several runs in one self-contained page (one colour per run),",
                "above the config keys whose values differ and each run's final metrics.",
                "A DIR that is not itself a run contributes every run found under it."
            })
    static final class CompareCommand extends Subcommand {

        @Parameters(arity = "1..*", paramLabel = "DIR", description = "run directories (or folders of runs)")
        List<Path> dirs = new ArrayList<>();

        @Option(names = "--output", required = true, description = "the page to write, e.g. compare.html")
        Path output;

        @Option(
                names = "--smoothing",
                defaultValue = "0",
                description = "TensorBoard-style EMA weight in [0, 1) for the curves (default ${DEFAULT-VALUE}: raw)")
        double smoothing;

        @Override
        public Integer call() throws Exception {
            RunComparison.Builder b = RunComparison.builder().optSmoothing(smoothing);
            int n = 0;
            for (Path d : dirs) {
                List<Run> found = Run.isRun(d) ? List.of(Run.open(d)) : Runs.find(d);
                if (found.isEmpty()) {
                    throw new IllegalArgumentException(
                            d + " is not a run directory and holds none (a run has metrics.jsonl or run.json)");
                }
                for (Run r : found) {
                    b.addRun(r);
                    n++;
                }
            }
            Path page = b.build().write(output);
            return done("compared " + n + " runs: " + page);
        }
    }

    /** {@code llm runs report DIR}: re-render a run's page from its files. */
    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            description =
                    "Re-render DIR/report.html from the run's files (after copying a run, or from an older Kiln).")
    static final class ReportCommand extends Subcommand {

        @Parameters(index = "0", paramLabel = "DIR", description = "a run directory")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path page = RunReport.write(Run.open(dir));
            return done("wrote " + page);
        }
    }
}
