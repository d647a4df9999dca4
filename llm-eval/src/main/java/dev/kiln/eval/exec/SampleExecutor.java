package dev.kiln.eval.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Runs complete test programs (prompt + completion + tests), each in its own sandboxed OS
 * process, and judges them. Implementations are thread-safe; at most {@link #workers()} samples
 * run at a time.
 *
 * <pre>{@code
 * try (SampleExecutor py = PythonExecutor.builder().optWorkers(4).build()) {
 *     List<ExecOutcome> outcomes = py.executeAll(programs);
 * }
 * }</pre>
 */
public interface SampleExecutor extends AutoCloseable {

    /** Runs one program; blocks while all workers are busy. */
    ExecOutcome execute(String program);

    /** How many samples run at the same time. */
    int workers();

    /** The sandbox in use. */
    Sandbox sandbox();

    /** Runs all programs in parallel; outcomes in input order. */
    default List<ExecOutcome> executeAll(List<String> programs) {
        return executeAll(programs, i -> {});
    }

    /**
     * Runs all programs in parallel; {@code onDone} receives each finished index (from worker
     * threads).
     */
    default List<ExecOutcome> executeAll(List<String> programs, IntConsumer onDone) {
        List<Future<ExecOutcome>> futures = new ArrayList<>(programs.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < programs.size(); i++) {
                int index = i;
                String program = programs.get(i);
                futures.add(pool.submit(() -> {
                    ExecOutcome o = execute(program);
                    onDone.accept(index);
                    return o;
                }));
            }
            List<ExecOutcome> out = new ArrayList<>(programs.size());
            for (Future<ExecOutcome> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while executing samples", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("executing a sample failed: " + c, c);
        }
    }

    /** Stops workers and removes the executor's temporary files. */
    @Override
    void close();
}
