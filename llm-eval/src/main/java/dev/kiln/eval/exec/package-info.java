/**
 * Sandboxed execution of generated programs: every sample in its own OS process, in its own
 * temporary directory, with a timeout, resource limits, no network and a scrubbed environment
 * where the OS allows (see {@link dev.kiln.eval.exec.Sandbox}, whose isolation level is chosen by
 * a policy with a minimum); a sample passes only when the tests ran to the end (exit 0 and a
 * per-run nonce printed after the program returned, or for Go and Rust the test framework's own
 * success line). Executors: {@link dev.kiln.eval.exec.PythonExecutor}, {@link
 * dev.kiln.eval.exec.JavaExecutor}, {@link dev.kiln.eval.exec.CppExecutor}, {@link
 * dev.kiln.eval.exec.GoExecutor}, {@link dev.kiln.eval.exec.JavaScriptExecutor}, {@link
 * dev.kiln.eval.exec.RustExecutor}; compiled languages compile outside the sandbox and run inside.
 *
 * <pre>{@code
 * try (PythonExecutor py = PythonExecutor.builder().optWorkers(4).build()) {
 *     System.out.println(py.execute("assert 1 + 1 == 2\n").result());   // passed
 * }
 * }</pre>
 */
package dev.kiln.eval.exec;
