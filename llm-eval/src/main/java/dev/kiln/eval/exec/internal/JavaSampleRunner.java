package dev.kiln.eval.exec.internal;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * Runs one compiled Java sample inside the sandbox's child JVM ({@code java -ea}): reads the run's
 * nonce from stdin (which the parent then closes), leaves {@code System.in} empty, calls the main
 * class's {@code main}, and prints the nonce only after {@code main} returned. {@code
 * System.exit(0)} in the sample ends the JVM before that, so the sample fails. The nonce lives
 * only in a local variable of this method.
 */
public final class JavaSampleRunner {

    private JavaSampleRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--kiln-warmup")) {
            Warmup.run();
            return;
        }
        FileOutputStream realOut = new FileOutputStream(FileDescriptor.out);
        PrintStream realErr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        byte[] nonce = readNonce();
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Throwable failure = null;
        try {
            Class<?> main = Class.forName(args[0], true, ClassLoader.getSystemClassLoader());
            Method m = main.getMethod("main", String[].class);
            m.setAccessible(true);
            m.invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            failure = e.getCause();
        } catch (ReflectiveOperationException | LinkageError e) {
            failure = e;
        }
        System.out.flush();
        System.err.flush();
        if (failure != null) {
            realErr.println();
            failure.printStackTrace(realErr);
            realErr.println("KILN-FAILED " + String.valueOf(failure).replace('\n', ' '));
            realErr.flush();
            Runtime.getRuntime().halt(1);
        }
        byte[] line = new byte[nonce.length + 2];
        line[0] = '\n';
        System.arraycopy(nonce, 0, line, 1, nonce.length);
        line[line.length - 1] = '\n';
        realOut.write(line);
        realOut.flush();
        // Returning (not halting) lets non-daemon threads keep the JVM alive, as plain `java Main` does.
    }

    private static byte[] readNonce() throws IOException {
        FileInputStream in = new FileInputStream(FileDescriptor.in);
        byte[] buf = new byte[128];
        int n = 0;
        int b;
        while (n < buf.length && (b = in.read()) >= 0 && b != '\n') {
            buf[n++] = (byte) b;
        }
        byte[] out = new byte[n];
        System.arraycopy(buf, 0, out, 0, n);
        return out;
    }

    /** Loads the classes typical test programs use, for the class-data-sharing archive. */
    static final class Warmup {
        static void run() {
            java.util.List<Integer> list = new java.util.ArrayList<>(java.util.Arrays.asList(3, 1, 2));
            java.util.Collections.sort(list);
            java.util.Map<String, Integer> map = new java.util.HashMap<>();
            map.put("a", 1);
            new java.util.TreeMap<>(map).firstKey();
            new java.util.LinkedList<>(list).peek();
            new java.util.HashSet<>(list).contains(1);
            new java.util.ArrayDeque<>(list).poll();
            new java.util.PriorityQueue<>(list).poll();
            java.util.Optional.of(1).map(x -> x + 1).orElse(0);
            String s = list.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
            java.util.stream.IntStream.range(0, 3).boxed().toList();
            s = String.format("%d %s %.2f", 1, s, 2.0) + String.join("-", "a", "b");
            new StringBuilder(s).reverse().toString().toUpperCase().split(",");
            java.util.regex.Pattern.compile("[a-z]+").matcher(s).find();
            Math.max(Math.abs(-1.5), Math.sqrt(2));
            java.math.BigInteger.valueOf(7).pow(3);
            java.util.Objects.equals(s, "x");
            Character.isDigit('1');
            Integer.parseInt("12");
            Double.parseDouble("1.5");
            java.util.Arrays.toString(new int[] {1});
            java.util.List.of(1, 2).equals(java.util.Arrays.asList(1, 2));
            try {
                throw new AssertionError("warmup");
            } catch (AssertionError e) {
                e.getMessage();
            }
        }
    }
}
