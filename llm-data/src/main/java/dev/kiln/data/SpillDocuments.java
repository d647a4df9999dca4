package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.data.source.SourceItem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** A spill file of a run re-read, one document at a time, each time it is iterated. */
final class SpillDocuments implements Iterable<Document> {

    private final Path file;

    SpillDocuments(Path file) {
        this.file = file;
    }

    @Override
    public Iterator<Document> iterator() {
        BufferedReader r;
        try {
            r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            String line;
            long n;
            boolean closed;

            @Override
            public boolean hasNext() {
                if (line != null) {
                    return true;
                }
                if (closed) {
                    return false;
                }
                try {
                    line = r.readLine();
                    if (line == null) {
                        r.close();
                        closed = true;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return line != null;
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                line = null;
                n++;
                SourceItem.Decoded d = SourceItem.record(file.toString(), "spill:" + n, b, false)
                        .decode();
                if (d.document() == null) {
                    throw new IllegalStateException("corrupt spill file " + file + " line " + n + ": " + d.detail());
                }
                return d.document();
            }
        };
    }
}
