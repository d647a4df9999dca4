package dev.kiln.eval.exec.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A long-lived compile worker (its own JVM, started by {@code JavaExecutor}): reads {@code
 * <directory>\t<file name>} lines on stdin, compiles the file into its directory with {@code
 * javax.tools}, and answers {@code OK} or {@code ERR <first diagnostic>} on stdout. Staying warm
 * makes each compile tens of milliseconds instead of a JVM start plus a cold javac.
 */
public final class JavaCompileServer {

    private JavaCompileServer() {}

    public static void main(String[] args) throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            out.println("FATAL no system Java compiler (a JRE, not a JDK)");
            return;
        }
        StandardJavaFileManager files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("READY");
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                out.println("ERR bad request");
                continue;
            }
            Path dir = Path.of(line.substring(0, tab));
            Path source = dir.resolve(line.substring(tab + 1));
            DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(source);
            List<String> options = List.of(
                    "-d",
                    dir.toString(),
                    "-proc:none",
                    "-nowarn",
                    "-Xlint:none",
                    "-encoding",
                    "UTF-8",
                    "-g:none",
                    "-implicit:none",
                    "-cp",
                    dir.toString());
            boolean ok;
            try {
                ok = javac.getTask(null, files, diags, options, null, units).call();
            } catch (RuntimeException e) {
                ok = false;
                out.println("ERR javac crashed: " + oneLine(String.valueOf(e)));
                continue;
            }
            if (ok) {
                out.println("OK");
            } else {
                String first = "compilation failed";
                for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                    if (d.getKind() == Diagnostic.Kind.ERROR) {
                        first = "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
                        break;
                    }
                }
                out.println("ERR " + oneLine(first));
            }
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
