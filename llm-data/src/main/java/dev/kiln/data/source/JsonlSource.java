package dev.kiln.data.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * JSON Lines ({@code .jsonl}, {@code .ndjson}; compressed {@code .gz}, {@code .zst}, {@code .xz}),
 * one document per line with a {@code content} field. The Stack / StarCoder columns are mapped:
 * {@code max_stars_repo_path}/{@code path} → path, {@code lang} → language, {@code
 * max_stars_repo_licenses}/{@code licenses} → licenses, {@code max_stars_count} → {@code stars},
 * {@code max_stars_repo_name} → {@code repository}, {@code id} → id; every other field is kept as
 * metadata, The Stack's {@code hexsha} (a git blob hash: of the content, shared by identical files)
 * too. A row without an {@code id} gets {@link dev.kiln.core.Document#stableId} of the file's real
 * path and {@code file:line}. Kiln's own output rows read back unchanged.
 *
 * <p>Blank lines are skipped; a line that is not a JSON object is an error ({@code
 * read:invalid-json}), a line over {@link ReadOptions#maxRecordBytes()} too ({@code
 * read:record-too-large}); reading goes on with the next line.
 *
 * <pre>{@code
 * Source stack = JsonlSource.of(Path.of("the-stack-java.jsonl.zst"));
 * }</pre>
 */
public final class JsonlSource implements Source {

    private final Path file;
    private final boolean countsAsInput;

    private JsonlSource(Path file, boolean countsAsInput) {
        this.file = file;
        this.countsAsInput = countsAsInput;
    }

    /** A JSON Lines file (compressed by its extension: .gz, .zst, .xz), one document per line. */
    public static JsonlSource of(Path file) {
        return new JsonlSource(file, true);
    }

    /**
     * Rows Kiln wrote itself (a spill between passes): read exactly, and not counted as input again.
     */
    public static JsonlSource spill(Path file) {
        return new JsonlSource(file, false);
    }

    @Override
    public String name() {
        return Sources.canonicalName(file);
    }

    @Override
    public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
        Sources.requireFile(file);
        String name = name();
        String fileName = file.getFileName().toString();
        int max = options.maxRecordBytes();
        byte[] buf = new byte[1 << 16];
        byte[] line = new byte[1 << 12];
        int len = 0;
        boolean skipping = false;
        long lineNo = 1;
        try (InputStream in = Formats.decompress(fileName, Files.newInputStream(file))) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        if (!skipping) {
                            int add = i - start;
                            if (len + add > max) {
                                out.accept(tooLong(name, fileName, lineNo, len + add, max));
                            } else {
                                line = append(line, len, buf, start, add);
                                len += add;
                                emit(out, name, fileName, lineNo, line, len);
                            }
                        }
                        len = 0;
                        skipping = false;
                        lineNo++;
                        start = i + 1;
                    }
                }
                if (!skipping && start < n) {
                    int add = n - start;
                    if (len + add > max) {
                        out.accept(tooLong(name, fileName, lineNo, len + add, max));
                        skipping = true;
                        len = 0;
                    } else {
                        line = append(line, len, buf, start, add);
                        len += add;
                    }
                }
            }
            if (!skipping && len > 0) {
                emit(out, name, fileName, lineNo, line, len);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                out.accept(SourceItem.error(name, fileName, 0, "unreadable", Formats.message(e)));
            } else {
                out.accept(SourceItem.error(name, fileName + ":" + lineNo, 0, "corrupt-file", Formats.message(e)));
            }
        }
    }

    private static SourceItem tooLong(String name, String fileName, long lineNo, long len, int max) {
        return SourceItem.error(
                name, fileName + ":" + lineNo, len, "record-too-large", "line longer than " + max + " bytes");
    }

    private static byte[] append(byte[] line, int len, byte[] src, int off, int n) {
        if (len + n > line.length) {
            line = Arrays.copyOf(line, Math.max(len + n, line.length * 2));
        }
        System.arraycopy(src, off, line, len, n);
        return line;
    }

    private void emit(Consumer<SourceItem> out, String name, String fileName, long lineNo, byte[] line, int len) {
        int end = len;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        boolean blank = true;
        for (int i = 0; i < end; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                blank = false;
                break;
            }
        }
        if (blank) {
            return;
        }
        out.accept(SourceItem.record(name, fileName + ":" + lineNo, Arrays.copyOf(line, end), countsAsInput));
    }

    @Override
    public String toString() {
        return "jsonl " + file;
    }
}
