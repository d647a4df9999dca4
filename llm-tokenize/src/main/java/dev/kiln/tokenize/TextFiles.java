package dev.kiln.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Plain text files as training input, streamed: files of any size are read in bounded chunks
 * (at most {@link #MAX_CHUNK_CHARS} chars, cut after a line end), never whole. Directories are
 * walked (every regular file, sorted). A file whose first 8 KiB hold a NUL byte is binary: it is
 * skipped, and named with the reason in {@link #skipped()}. Malformed UTF-8 becomes U+FFFD.
 *
 * <p>Trainers treat every line (with its line ending) as its own text, as Hugging Face's trainer
 * does with files, so a piece never spans two lines. A line longer than {@link #MAX_CHUNK_CHARS}
 * is cut into chunks of that size (the only place a piece can be cut).
 *
 * <pre>{@code
 * TextFiles in = TextFiles.of(List.of(Path.of("java.base.txt"), Path.of("src")));
 * BpeTokenizer tok = BpeTrainer.builder().setVocabSize(30_000).build().trainTexts(in);
 * in.skipped().forEach(s -> System.err.println("skipped " + s));
 * }</pre>
 *
 * <p>Iterating is not thread-safe; each {@link #iterator()} reads the files again and resets the
 * counters.
 */
public final class TextFiles implements Iterable<String> {

    /** The largest chunk one iteration step returns, in chars. */
    public static final int MAX_CHUNK_CHARS = 1 << 20;

    private static final int SNIFF = 8192;

    private final List<Path> inputs;
    private final List<Path> files;
    private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
    private volatile long bytesRead;
    private volatile int filesRead;

    private TextFiles(List<Path> inputs, List<Path> files) {
        this.inputs = List.copyOf(inputs);
        this.files = List.copyOf(files);
    }

    /**
     * The regular files of {@code inputs}; directories are walked, files sorted within each.
     *
     * @throws NoSuchFileException when an input does not exist
     */
    public static TextFiles of(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    out.addAll(s.filter(Files::isRegularFile).sorted().collect(Collectors.toList()));
                }
            } else if (Files.isRegularFile(in)) {
                out.add(in);
            } else if (Files.exists(in)) {
                throw new IllegalArgumentException("training input " + in + " is neither a file nor a directory");
            } else {
                throw new NoSuchFileException(in.toString(), null, "training input does not exist");
            }
        }
        return new TextFiles(inputs, out);
    }

    /** The files, in reading order. */
    public List<Path> files() {
        return files;
    }

    /** Files skipped by the last iteration, each as {@code path: reason}. */
    public List<String> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }

    /** Files read (not skipped) by the last iteration. */
    public int filesRead() {
        return filesRead;
    }

    /** Bytes of the files read by the last iteration. */
    public long bytesRead() {
        return bytesRead;
    }

    /** One line: what was read and skipped, for messages. */
    public String summary() {
        List<String> sk = skipped();
        StringBuilder sb = new StringBuilder()
                .append("read ")
                .append(filesRead)
                .append(filesRead == 1 ? " file (" : " files (")
                .append(bytesRead)
                .append(" bytes)");
        if (!sk.isEmpty()) {
            sb.append(", skipped ").append(sk.size()).append(": ");
            sb.append(String.join("; ", sk.subList(0, Math.min(5, sk.size()))));
            if (sk.size() > 5) {
                sb.append("; ...");
            }
        }
        return sb.toString();
    }

    @Override
    public Iterator<String> iterator() {
        skipped.clear();
        bytesRead = 0;
        filesRead = 0;
        return new Chunks();
    }

    /** Reads the files one after another in chunks ending at a line end. */
    private final class Chunks implements Iterator<String> {
        private int nextFile;
        private Reader reader;
        private final char[] buf = new char[MAX_CHUNK_CHARS];
        private int len;
        private boolean eof = true;
        private String pending;

        @Override
        public boolean hasNext() {
            try {
                while (pending == null) {
                    if (eof && len == 0) {
                        if (!openNext()) {
                            return false;
                        }
                    }
                    pending = chunk();
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String s = pending;
            pending = null;
            return s;
        }

        private boolean openNext() throws IOException {
            closeReader();
            while (nextFile < files.size()) {
                Path f = files.get(nextFile++);
                InputStream in = Files.newInputStream(f);
                byte[] head = in.readNBytes(SNIFF);
                int nul = indexOfNul(head);
                if (nul >= 0) {
                    in.close();
                    skipped.add(f + ": binary (NUL byte at offset " + nul + ")");
                    continue;
                }
                filesRead++;
                bytesRead += Files.size(f);
                CharsetDecoder dec = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE);
                InputStream all = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), in);
                reader = new InputStreamReader(all, dec);
                eof = false;
                len = 0;
                return true;
            }
            return false;
        }

        /** The next chunk of the open file, or null when it is exhausted. */
        private String chunk() throws IOException {
            while (!eof && len < buf.length) {
                int r = reader.read(buf, len, buf.length - len);
                if (r < 0) {
                    eof = true;
                    closeReader();
                    break;
                }
                len += r;
            }
            if (len == 0) {
                return null;
            }
            int cut = len;
            if (!eof) {
                int nl = lastNewline(buf, len);
                if (nl >= 0) {
                    cut = nl + 1;
                } else if (Character.isHighSurrogate(buf[len - 1])) {
                    cut = len - 1; // a line longer than a chunk: cut, but never inside a surrogate pair
                }
            }
            String s = new String(buf, 0, cut);
            System.arraycopy(buf, cut, buf, 0, len - cut);
            len -= cut;
            return s;
        }

        private void closeReader() throws IOException {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static int lastNewline(char[] b, int len) {
        for (int i = len - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        String in = inputs.size() == 1 ? inputs.get(0).toString() : inputs.toString();
        return files.size() == 1 && inputs.size() == 1 && inputs.get(0).equals(files.get(0))
                ? in
                : in + " (" + files.size() + (files.size() == 1 ? " file)" : " files)");
    }
}
