package dev.kiln.data.source;

import dev.kiln.core.io.Manifest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A dataset directory written by a Kiln sink (it has a {@code manifest.json} of kind {@code
 * dataset}): only its {@code part-*} shards (JSONL or Parquet) are read, in order — not the report, the dataset card
 * or {@code duplicates.jsonl} beside them. So the output of {@code llm data run} is the input of
 * the next stage as it is.
 */
final class DatasetSource implements Source {

    private final Path dir;
    private final List<Source> parts;

    private DatasetSource(Path dir, List<Source> parts) {
        this.dir = dir;
        this.parts = parts;
    }

    /** Whether {@code dir} is a completed Kiln dataset directory. */
    static boolean isDataset(Path dir) {
        if (!Manifest.exists(dir)) {
            return false;
        }
        try {
            Manifest.read(dir, "dataset");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static DatasetSource of(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "part-*")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (Formats.isJsonl(n) || n.endsWith(".parquet")) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        List<Source> parts = new ArrayList<>();
        for (Path f : files) {
            parts.add(f.getFileName().toString().endsWith(".parquet") ? ParquetSource.of(f) : JsonlSource.of(f));
        }
        return new DatasetSource(dir, parts);
    }

    @Override
    public String name() {
        return Sources.canonicalName(dir);
    }

    @Override
    public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
        for (Source p : parts) {
            p.read(options, out);
        }
    }

    @Override
    public String toString() {
        return "dataset " + dir + " (" + parts.size() + " shards)";
    }
}
