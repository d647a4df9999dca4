package dev.kiln.data.parse;

import com.sun.source.util.JavacTask;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/** Syntax check with the running JDK's own parser ({@code JavacTask.parse}), no attribution. */
final class JavacSyntaxCheck {

    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();
    private static final List<String> OPTIONS = options();

    private JavacSyntaxCheck() {}

    /** Whether a javac is available (a JRE has none). */
    static boolean available() {
        return JAVAC != null;
    }

    private static List<String> options() {
        List<String> o = new ArrayList<>(List.of("-proc:none", "-Xlint:none"));
        // preview syntax of the running release parses too (the JDK's own sources use it)
        o.addAll(List.of(
                "--enable-preview",
                "--release",
                String.valueOf(Runtime.version().feature())));
        return o;
    }

    /** The first syntax error, or null when javac parses the text cleanly. */
    static String firstError(String path, String content) {
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        String name = path.isEmpty() ? "Source.java" : path.substring(path.lastIndexOf('/') + 1);
        if (!name.endsWith(".java")) {
            name = name + ".java";
        }
        JavaFileObject src = new SimpleJavaFileObject(URI.create("string:///" + name), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return content;
            }
        };
        JavacTask task = (JavacTask) JAVAC.getTask(null, null, diags, OPTIONS, null, List.of(src));
        try {
            task.parse();
        } catch (java.io.IOException | RuntimeException e) {
            return "javac failed: " + e;
        }
        for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                return "line " + d.getLineNumber() + ": " + d.getMessage(null);
            }
        }
        return null;
    }
}
