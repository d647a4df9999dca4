import dev.kiln.eval.EvalLanguage;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.exec.ExecOutcome;
import dev.kiln.eval.exec.JavaExecutor;
import dev.kiln.eval.exec.PythonExecutor;
import dev.kiln.eval.exec.SampleExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Times Kiln's sandboxed executor on the 164 canonical solutions (run by humaneval-exec.sh):
 * {@code java -cp ... HumanEvalExec.java python|java WORKERS}. Prints one line: language, workers,
 * passed/total, wall seconds (executor start excluded and reported separately).
 */
public class HumanEvalExec {
    public static void main(String[] args) {
        EvalLanguage lang = EvalLanguage.parse(args[0]);
        int workers = Integer.parseInt(args[1]);
        ProblemSet set = HumanEval.of(lang);
        List<String> programs = new ArrayList<>();
        for (Problem p : set.problems()) {
            programs.add(p.program(p.canonicalSolution()));
        }
        long t0 = System.nanoTime();
        SampleExecutor ex = lang == EvalLanguage.JAVA
                ? JavaExecutor.builder().optWorkers(workers).build()
                : PythonExecutor.builder().optWorkers(workers).build();
        long t1 = System.nanoTime();
        List<ExecOutcome> out = ex.executeAll(programs);
        long t2 = System.nanoTime();
        ex.close();
        long passed = out.stream().filter(ExecOutcome::passed).count();
        System.out.printf("kiln %s workers=%d sandbox=%s passed=%d/%d startup=%.2fs wall=%.2fs%n",
                lang.id(), workers, ex.sandbox().isolation(), passed, out.size(),
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
