package dev.kiln.data.source;

import dev.kiln.core.Document;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.CloseShieldFilterInputStream;

/**
 * Reads zip/jar and tar (plain, gz, bz2, xz, zst) archives into items, one nesting level deep,
 * with zip-bomb caps: entries over {@link ReadOptions#maxFileBytes()} are not inflated past it,
 * an entry inflating more than {@link ReadOptions#maxCompressionRatio()} times is an error, and an
 * archive stops at {@link ReadOptions#maxArchiveBytes()}.
 */
final class ArchiveReader {

    /** Tar archives up to this size get a first pass that finds their LICENSE and package files. */
    static final long PREPASS_MAX_BYTES = 64L << 20;

    private final String source;
    private final ReadOptions opt;
    private final Consumer<SourceItem> out;
    private final Map<String, Object> baseMeta;

    ArchiveReader(String source, ReadOptions opt, Consumer<SourceItem> out, Map<String, Object> baseMeta) {
        this.source = source;
        this.opt = opt;
        this.out = out;
        this.baseMeta = baseMeta == null ? Map.of() : baseMeta;
    }

    /**
     * Reads an archive file. {@code prefix} is prepended to entry paths ({@code ""} for a source
     * that is the archive, {@code "lib/x.zip!/"} inside a directory).
     */
    void readFile(Path file, String prefix, List<String> baseLicenses, boolean scanLicenses) {
        Formats.Archive type = Formats.archive(file.getFileName().toString());
        LicenseContext ctx = new LicenseContext(baseLicenses);
        if (type == Formats.Archive.ZIP) {
            readZipFile(file, prefix, ctx, scanLicenses);
            return;
        }
        String name = file.getFileName().toString();
        try {
            if (scanLicenses && Files.size(file) <= PREPASS_MAX_BYTES) {
                try (InputStream in = new Formats.Capped(
                                Formats.decompress(name, Files.newInputStream(file)), opt.maxArchiveBytes());
                        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                    TarArchiveEntry e;
                    while ((e = tar.getNextEntry()) != null) {
                        if (e.isFile()
                                && LicenseContext.wants(baseName(e.getName()))
                                && e.getSize() <= LicenseContext.MAX_LICENSE_FILE) {
                            ctx.add(
                                    e.getName(),
                                    new String(Formats.readBounded(tar, e.getSize()), StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the main pass reports the problem
                }
            }
            try (Formats.Capped in =
                    new Formats.Capped(Formats.decompress(name, Files.newInputStream(file)), opt.maxArchiveBytes())) {
                readTar(in, prefix, where(file, prefix), 0, ctx, scanLicenses);
            }
        } catch (IOException | RuntimeException e) {
            streamError(where(file, prefix), e instanceof java.nio.file.FileSystemException ? null : e);
        }
    }

    private void readZipFile(Path file, String prefix, LicenseContext ctx, boolean scanLicenses) {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(file).get();
        } catch (IOException | RuntimeException e) {
            // No central directory (truncated, or not a zip): read what the local headers give.
            try (Formats.Capped in = new Formats.Capped(
                    new java.io.BufferedInputStream(Files.newInputStream(file)), opt.maxArchiveBytes())) {
                int n = readZipStream(in, prefix, where(file, prefix), 0, ctx, scanLicenses);
                if (n == 0) {
                    out.accept(SourceItem.error(
                            source, where(file, prefix), sizeOf(file), "corrupt-archive", Formats.message(e)));
                }
            } catch (IOException | RuntimeException e2) {
                out.accept(SourceItem.error(source, where(file, prefix), 0, "unreadable", Formats.message(e2)));
            }
            return;
        }
        try (zip) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            if (scanLicenses) {
                for (ZipArchiveEntry e : entries) {
                    if (!e.isDirectory()
                            && LicenseContext.wants(baseName(e.getName()))
                            && e.getSize() <= LicenseContext.MAX_LICENSE_FILE) {
                        try (InputStream in = zip.getInputStream(e)) {
                            ctx.add(
                                    e.getName(),
                                    new String(
                                            Formats.readBounded(in, LicenseContext.MAX_LICENSE_FILE),
                                            StandardCharsets.UTF_8));
                        } catch (IOException | RuntimeException ex) {
                            // reported when the entry itself is read
                        }
                    }
                }
            }
            long total = 0;
            for (ZipArchiveEntry e : entries) {
                if (e.isDirectory() || e.isUnixSymlink()) {
                    continue;
                }
                String path = prefix + e.getName();
                if (skipped(e.getName())) {
                    continue;
                }
                long declared = e.getSize();
                long compressed = e.getCompressedSize();
                if (total > opt.maxArchiveBytes()) {
                    out.accept(SourceItem.error(
                            source,
                            path,
                            0,
                            "archive-too-large",
                            "stopped after " + total + " decompressed bytes (maxArchiveBytes)"));
                    return;
                }
                if (Formats.archive(e.getName()) != null) {
                    nested(path, e.getName(), () -> zip.getInputStream(e), 0, ctx);
                    continue;
                }
                if (Formats.isBinaryName(e.getName())) {
                    out.accept(SourceItem.dropped(source, path, Math.max(0, declared), "binary"));
                    continue;
                }
                if (declared > opt.maxFileBytes()) {
                    out.accept(tooLarge(path, declared, compressed));
                    continue;
                }
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] b = Formats.readBounded(in, opt.maxFileBytes());
                    total += b.length;
                    if (b.length > opt.maxFileBytes()) {
                        out.accept(tooLarge(path, b.length, compressed));
                    } else {
                        emit(path, e.getName(), b, ctx);
                    }
                } catch (IOException | RuntimeException ex) {
                    out.accept(SourceItem.error(
                            source, path, Math.max(0, compressed), "corrupt-entry", Formats.message(ex)));
                }
            }
        } catch (IOException | RuntimeException e) {
            out.accept(SourceItem.error(source, where(file, prefix), 0, "corrupt-archive", Formats.message(e)));
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String where(Path file, String prefix) {
        return prefix.isEmpty() ? file.getFileName().toString() : prefix;
    }

    private SourceItem tooLarge(String path, long size, long compressed) {
        if (compressed > 0 && (double) size / compressed > opt.maxCompressionRatio()) {
            return SourceItem.error(
                    source,
                    path,
                    compressed,
                    "zip-bomb",
                    "inflates " + size + "+ bytes from " + compressed + " (ratio over "
                            + (long) opt.maxCompressionRatio() + ")");
        }
        return SourceItem.dropped(source, path, size, "too-large");
    }

    /** An error already emitted as an item. */
    static final class Reported extends IOException {
        private static final long serialVersionUID = 1L;

        Reported(IOException cause) {
            super(cause);
        }
    }

    interface StreamOpener {
        InputStream open() throws IOException;
    }

    /** An archive inside an archive: read when at depth 0, else dropped. */
    private void nested(String path, String entryName, StreamOpener opener, int depth, LicenseContext parentCtx) {
        if (depth >= 1) {
            out.accept(SourceItem.dropped(source, path, 0, "nested-archive"));
            return;
        }
        Formats.Archive type = Formats.archive(entryName);
        LicenseContext ctx = new LicenseContext(parentCtx.forPath(path));
        try (InputStream raw = opener.open()) {
            InputStream in = new Formats.Capped(raw, opt.maxArchiveBytes());
            if (type == Formats.Archive.ZIP) {
                int n = readZipStream(in, path + "!/", path, depth + 1, ctx, true);
                if (n == 0) {
                    out.accept(SourceItem.error(source, path, 0, "corrupt-archive", "no entries"));
                }
            } else {
                readTar(Formats.decompress(entryName, in), path + "!/", path, depth + 1, ctx, true);
            }
        } catch (IOException | RuntimeException e) {
            out.accept(SourceItem.error(source, path, 0, "corrupt-archive", Formats.message(e)));
        }
    }

    /** Streams a zip; returns the number of entries seen. Errors are emitted, not thrown. */
    private int readZipStream(
            InputStream in, String prefix, String where, int depth, LicenseContext ctx, boolean scan) {
        int count = 0;
        try (ZipArchiveInputStream zin =
                new ZipArchiveInputStream(new CloseShieldFilterInputStream(in), "UTF-8", true, true)) {
            ZipArchiveEntry e;
            while ((e = zin.getNextEntry()) != null) {
                count++;
                if (e.isDirectory() || skipped(e.getName())) {
                    continue;
                }
                entry(zin, e, prefix, depth, ctx, scan, true);
            }
        } catch (IOException | RuntimeException e) {
            streamError(where, e);
            return Math.max(count, 1);
        }
        return count;
    }

    private void readTar(InputStream in, String prefix, String where, int depth, LicenseContext ctx, boolean scan) {
        int count = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new CloseShieldFilterInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                count++;
                if (!e.isFile() || skipped(e.getName())) {
                    continue;
                }
                entry(tar, e, prefix, depth, ctx, scan, false);
            }
            if (count == 0) {
                out.accept(SourceItem.error(source, where, 0, "corrupt-archive", "no entries"));
            }
        } catch (IOException | RuntimeException e) {
            streamError(where, e);
        }
    }

    private void streamError(String where, Exception e) {
        if (e == null) {
            out.accept(SourceItem.error(source, where, 0, "unreadable", "cannot open the file"));
        } else if (!(e instanceof Reported)) {
            out.accept(SourceItem.error(
                    source,
                    where,
                    0,
                    e instanceof Formats.TooLargeException ? "archive-too-large" : "corrupt-archive",
                    Formats.message(e)));
        }
    }

    /** One entry of a streamed archive. */
    private void entry(
            ArchiveInputStream<?> ain,
            ArchiveEntry e,
            String prefix,
            int depth,
            LicenseContext ctx,
            boolean scan,
            boolean zip)
            throws IOException {
        String name = e.getName();
        String path = prefix + name;
        if (Formats.archive(name) != null) {
            nested(path, name, () -> new CloseShieldFilterInputStream(ain), depth, ctx);
            return;
        }
        if (Formats.isBinaryName(name)) {
            out.accept(SourceItem.dropped(source, path, Math.max(0, e.getSize()), "binary"));
            return;
        }
        if (e.getSize() > opt.maxFileBytes()) {
            long compressed = zip ? ((ZipArchiveEntry) e).getCompressedSize() : -1;
            out.accept(tooLarge(path, e.getSize(), compressed));
            return;
        }
        long before = zip ? ((ZipArchiveInputStream) ain).getCompressedCount() : 0;
        byte[] b;
        try {
            b = Formats.readBounded(ain, opt.maxFileBytes());
        } catch (Formats.TooLargeException ex) {
            throw ex;
        } catch (IOException ex) {
            out.accept(SourceItem.error(source, path, 0, "corrupt-archive", Formats.message(ex)));
            throw new Reported(ex);
        }
        if (b.length > opt.maxFileBytes()) {
            long compressed = zip ? ((ZipArchiveInputStream) ain).getCompressedCount() - before : -1;
            out.accept(tooLarge(path, b.length, compressed));
            return;
        }
        if (scan && LicenseContext.wants(baseName(name)) && b.length <= LicenseContext.MAX_LICENSE_FILE) {
            ctx.add(name, new String(b, StandardCharsets.UTF_8));
        }
        emit(path, name, b, ctx);
    }

    private void emit(String path, String entryName, byte[] bytes, LicenseContext ctx) {
        Map<String, Object> meta = baseMeta;
        String pkg = ctx.packageFor(entryName);
        if (pkg != null && !baseMeta.containsKey(Document.REPOSITORY.name())) {
            meta = new LinkedHashMap<>(baseMeta);
            meta.put(Document.REPOSITORY.name(), pkg);
        }
        out.accept(SourceItem.file(source, path, bytes, ctx.forPath(entryName), meta));
    }

    static boolean skipped(String name) {
        return name.startsWith(".git/") || name.contains("/.git/") || name.startsWith("__MACOSX/");
    }

    static String baseName(String name) {
        int slash = name.lastIndexOf('/');
        return name.substring(slash + 1);
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
