/**
 * Sandboxed execution of generated programs: every sample in its own OS process, in its own
 * temporary directory, with a timeout, resource limits, no network and a scrubbed environment
 * where the OS allows (see {@link dev.kiln.eval.exec.Sandbox}); a sample passes only when the
 * tests ran to the end (exit 0 and a per-run nonce printed after the program returned).
 *
 * <pre>{@code
 * try (PythonExecutor py = PythonExecutor.builder().optWorkers(4).build()) {
 *     System.out.println(py.execute("assert 1 + 1 == 2\n").result());   // passed
 * }
 * }</pre>
 */
package dev.kiln.eval.exec;
