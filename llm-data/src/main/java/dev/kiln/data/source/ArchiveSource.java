package dev.kiln.data.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An archive: zip, jar, tar, tar.gz/tgz, tar.bz2, tar.xz, tar.zst. Entries are read in archive
 * order; archives inside it are read one level deep. License files and package metadata inside it
 * ({@code package.json} of an npm tarball, {@code META-INF/LICENSE} of a jar) give the licenses of
 * the entries below them. A Maven {@code -sources.jar} takes its licenses from the {@code .pom}
 * next to it ({@code <licenses>}, following {@code <parent>} in the same local repository) and its
 * {@code repository} from the POM's coordinates.
 *
 * <pre>{@code
 * Source jar = ArchiveSource.of(Path.of("~/.m2/repository/org/x/y/1.0/y-1.0-sources.jar"));
 * Source npm = ArchiveSource.of(Path.of("left-pad-1.3.0.tgz"));
 * }</pre>
 */
public final class ArchiveSource implements Source {

    private final Path file;

    private ArchiveSource(Path file) {
        this.file = file;
    }

    /** An archive source; the file name must end in a known archive extension. */
    public static ArchiveSource of(Path file) {
        if (Formats.archive(file.getFileName().toString()) == null) {
            throw new IllegalArgumentException("'" + file
                    + "' is not an archive Kiln reads (.zip .jar .tar .tar.gz .tgz .tar.bz2 .tar.xz .tar.zst)");
        }
        return new ArchiveSource(file);
    }

    @Override
    public String name() {
        return Sources.canonicalName(file);
    }

    @Override
    public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
        Sources.requireFile(file);
        String n = file.getFileName().toString();
        List<String> base = List.of();
        Map<String, Object> meta = Map.of();
        boolean scan = true;
        if (n.endsWith("-sources.jar")) {
            MavenSources m = MavenSources.of(file);
            base = m.licenses();
            meta = m.metadata();
            scan = base.isEmpty();
        }
        new ArchiveReader(name(), options, out, meta).readFile(file, "", base, scan);
    }

    @Override
    public long estimatedItems() {
        if (Formats.archive(file.getFileName().toString()) != Formats.Archive.ZIP) {
            return -1;
        }
        try (org.apache.commons.compress.archivers.zip.ZipFile z =
                org.apache.commons.compress.archivers.zip.ZipFile.builder()
                        .setPath(file)
                        .get()) {
            long n = 0;
            for (var e = z.getEntries(); e.hasMoreElements(); ) {
                if (!e.nextElement().isDirectory()) {
                    n++;
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return "archive " + file;
    }
}
