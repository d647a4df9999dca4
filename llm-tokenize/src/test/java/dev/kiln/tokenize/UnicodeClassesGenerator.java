package dev.kiln.tokenize;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code unicode-16.0-classes.bin} from the running JVM's {@link Character} data, which
 * must be Unicode 16 (Java 24 or 25):
 *
 * <pre>
 * java -cp llm-tokenize/target/classes:llm-tokenize/target/test-classes dev.kiln.tokenize.UnicodeClassesGenerator \
 *     llm-tokenize/src/main/resources/dev/kiln/tokenize/unicode-16.0-classes.bin
 * </pre>
 */
public final class UnicodeClassesGenerator {

    private UnicodeClassesGenerator() {}

    /** The table's value of {@code cp} by this JVM. */
    static int value(int cp) {
        return PreTokenizer.jvmClassOf(cp) | (AddedTokenMatcher.jvmIsWordChar(cp) ? UnicodeClasses.WORD : 0);
    }

    /** The table file by this JVM: runs of equal values. */
    static byte[] generate() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        ByteArrayOutputStream runs = new ByteArrayOutputStream();
        DataOutputStream r = new DataOutputStream(runs);
        int n = 0;
        int prev = -1;
        for (int cp = 0; cp < 0x110000; cp++) {
            int v = value(cp);
            if (v != prev) {
                r.writeInt(cp);
                r.writeByte(v);
                n++;
                prev = v;
            }
        }
        out.writeInt(0x4B554331);
        out.writeInt(n);
        out.write(runs.toByteArray());
        return bytes.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        String version = Character.getName(0x16D40); // KIRAT RAI, new in Unicode 16
        if (version == null) {
            throw new IllegalStateException("this JVM (" + Runtime.version() + ") does not know Unicode 16");
        }
        Files.write(Path.of(args[0]), generate());
    }
}
