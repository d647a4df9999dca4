package dev.kiln.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Picks the source for a path by what it is.
 *
 * <ul>
 *   <li>a directory: {@link DirectorySource};
 *   <li>{@code .jsonl}, {@code .ndjson} (optionally {@code .gz}, {@code .zst}, {@code .xz}): {@link
 *       JsonlSource};
 *   <li>{@code .parquet} (The Stack's columns or Kiln's own): {@link ParquetSource};
 *   <li>{@code .zip .jar .tar .tar.gz .tgz .tar.bz2 .tar.xz .tar.zst}: {@link ArchiveSource} (Maven
 *       {@code -sources.jar} files with their POM's license; npm tarballs with their {@code
 *       package.json}'s);
 *   <li>a Kiln dataset directory (with a {@code dataset} {@code manifest.json}): its {@code part-*}
 *       shards only;
 *   <li>any other file: that single file.
 * </ul>
 *
 * <pre>{@code
 * Source s = Sources.detect(Path.of("repos"));
 * }</pre>
 */
public final class Sources {

    private Sources() {}

    /**
     * The source for {@code path}.
     *
     * @throws NoSuchFileException when the path does not exist
     */
    public static Source detect(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "input path does not exist");
        }
        if (Files.isDirectory(path)) {
            return DatasetSource.isDataset(path) ? DatasetSource.of(path) : new DirectorySource(path);
        }
        String name = path.getFileName().toString();
        if (Formats.isJsonl(name)) {
            return JsonlSource.of(path);
        }
        if (Formats.archive(name) != null) {
            return ArchiveSource.of(path);
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            return ParquetSource.of(path);
        }
        return file(path);
    }

    /**
     * The name a source goes by, and from which its documents' ids derive: the absolute real path
     * (symbolic links resolved), or the absolute normalised path when it does not exist. {@code
     * repos}, {@code ./repos/} and {@code /abs/repos} are one name, so their documents get one id.
     */
    public static String canonicalName(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return path.toAbsolutePath().normalize().toString();
        }
    }

    /** Fails with {@link NoSuchFileException} ("not a file") unless {@code file} is a regular file. */
    static void requireFile(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a file");
        }
    }

    /** One file as a source: its document's path is the file name. */
    public static Source file(Path file) {
        String canonical = canonicalName(file);
        return new Source() {
            @Override
            public String name() {
                return canonical;
            }

            @Override
            public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
                requireFile(file);
                String name = file.getFileName().toString();
                long size = Files.size(file);
                if (Formats.isBinaryName(name)) {
                    out.accept(SourceItem.dropped(name(), name, size, "binary"));
                } else if (size > options.maxFileBytes()) {
                    out.accept(SourceItem.dropped(name(), name, size, "too-large"));
                } else {
                    try {
                        out.accept(SourceItem.file(name(), name, Files.readAllBytes(file), null, Map.of()));
                    } catch (IOException e) {
                        out.accept(SourceItem.error(name(), name, size, "unreadable", Formats.message(e)));
                    }
                }
            }

            @Override
            public String toString() {
                return "file " + file;
            }
        };
    }
}
