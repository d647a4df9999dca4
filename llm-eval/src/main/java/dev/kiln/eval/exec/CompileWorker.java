package dev.kiln.eval.exec;

import dev.kiln.eval.exec.internal.JavaCompileServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One warm javac JVM ({@link JavaCompileServer}); restarted when a compile hangs. */
final class CompileWorker implements AutoCloseable {

    /** The outcome of one compile: {@code error} null when it compiled. */
    record Result(boolean timedOut, String error) {}

    private final List<String> command;
    private Process process;
    private BufferedReader replies;
    private OutputStream requests;

    CompileWorker(Path java, String classPath) throws IOException {
        this.command = List.of(
                java.toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:-UsePerfData",
                "-cp",
                classPath,
                JavaCompileServer.class.getName());
        start();
    }

    private void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        process = pb.start();
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        requests = process.getOutputStream();
        String hello = replies.readLine();
        if (hello == null || !hello.equals("READY")) {
            process.destroyForcibly();
            throw new IOException("the Java compile worker did not start: " + hello);
        }
    }

    /** Compiles {@code dir/fileName} into {@code dir}. */
    Result compile(Path dir, String fileName, Duration timeout) throws IOException {
        if (!process.isAlive()) {
            start();
        }
        requests.write((dir + "\t" + fileName + "\n").getBytes(StandardCharsets.UTF_8));
        requests.flush();
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return replies.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                },
                r -> Thread.ofVirtual().start(r));
        String line;
        try {
            line = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            restart();
            return new Result(true, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            restart();
            throw new IOException("interrupted while compiling", e);
        } catch (ExecutionException e) {
            line = null;
        }
        if (line == null) {
            restart();
            return new Result(false, "the compile worker died");
        }
        if (line.equals("OK")) {
            return new Result(false, null);
        }
        return new Result(false, line.startsWith("ERR ") ? line.substring(4) : line);
    }

    private void restart() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        start();
    }

    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
