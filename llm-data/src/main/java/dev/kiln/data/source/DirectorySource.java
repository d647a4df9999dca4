package dev.kiln.data.source;

import dev.kiln.core.Document;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A directory tree, walked in sorted order (so every run sees the same order). Skips {@code .git},
 * {@code .hg}, {@code .svn}; follows symbolic links but reports loops ({@code read:symlink-loop});
 * reads archives it contains (one nesting level; {@code -sources.jar} files with the license of
 * their {@code .pom}) and JSONL files ({@code .jsonl}, {@code .jsonl.gz|zst|xz}: dataset shards, read
 * as {@link JsonlSource}); attaches to each file the license of the nearest package metadata or
 * LICENSE file above it, and as {@code repository} the nearest directory holding a {@code .git}.
 *
 * <pre>{@code
 * Source repos = new DirectorySource(Path.of("repos"));
 * }</pre>
 */
public final class DirectorySource implements Source {

    private static final Set<String> SKIP_DIRS = Set.of(".git", ".hg", ".svn", ".idea", "__MACOSX");
    private static final int MAX_DEPTH = 128;

    private final Path root;

    /** Every regular file under {@code root}, read lazily. */
    public DirectorySource(Path root) {
        this.root = root;
    }

    @Override
    public String name() {
        return Sources.canonicalName(root);
    }

    @Override
    public void read(ReadOptions options, Consumer<SourceItem> out) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "not a directory");
        }
        Walk w = new Walk(options, out);
        Set<Object> ancestors = new HashSet<>();
        ancestors.add(key(root));
        w.dir(root, "", ancestors, new LicenseContext(List.of()), null, 0);
    }

    private static Object key(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        Object k = a.fileKey();
        return k != null ? k : p.toRealPath();
    }

    private final class Walk {
        private final ReadOptions opt;
        private final Consumer<SourceItem> out;
        private final String source = name();

        Walk(ReadOptions opt, Consumer<SourceItem> out) {
            this.opt = opt;
            this.out = out;
        }

        void dir(Path dir, String rel, Set<Object> ancestors, LicenseContext ctx, String repo, int depth) {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    entries.add(p);
                }
            } catch (IOException | RuntimeException e) {
                out.accept(SourceItem.error(source, rel, 0, "unreadable", Formats.message(e)));
                return;
            }
            entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.equals(".git")) {
                    repo = rel.isEmpty() ? root.toAbsolutePath().normalize().getFileName() + "" : rel;
                }
                if (LicenseContext.wants(name) && Files.isRegularFile(p)) {
                    try {
                        if (Files.size(p) <= LicenseContext.MAX_LICENSE_FILE) {
                            ctx.add(child(rel, name), new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                        }
                    } catch (IOException | RuntimeException e) {
                        // reported when the file itself is read
                    }
                }
            }
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String path = child(rel, name);
                if (Files.isDirectory(p)) {
                    if (SKIP_DIRS.contains(name)) {
                        continue;
                    }
                    Object k;
                    try {
                        k = key(p);
                    } catch (IOException | RuntimeException e) {
                        out.accept(SourceItem.error(source, path, 0, "unreadable", Formats.message(e)));
                        continue;
                    }
                    if (ancestors.contains(k)) {
                        out.accept(SourceItem.error(
                                source, path, 0, "symlink-loop", "links back to a directory above it"));
                        continue;
                    }
                    if (depth >= MAX_DEPTH) {
                        out.accept(SourceItem.error(source, path, 0, "too-deep", "more than " + MAX_DEPTH + " levels"));
                        continue;
                    }
                    ancestors.add(k);
                    dir(p, path, ancestors, ctx, repo, depth + 1);
                    ancestors.remove(k);
                } else if (Files.isRegularFile(p)) {
                    file(p, path, ctx, repo);
                } else if (Files.isSymbolicLink(p)) {
                    out.accept(SourceItem.error(source, path, 0, "unreadable", "broken symbolic link"));
                } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.accept(SourceItem.dropped(source, path, 0, "not-a-file"));
                }
            }
        }

        void file(Path p, String path, LicenseContext ctx, String repo) {
            String name = p.getFileName().toString();
            long size;
            try {
                size = Files.size(p);
            } catch (IOException | RuntimeException e) {
                out.accept(SourceItem.error(source, path, 0, "unreadable", Formats.message(e)));
                return;
            }
            if (Formats.isJsonl(name)) {
                try {
                    JsonlSource.of(p).read(opt, out);
                } catch (IOException | RuntimeException e) {
                    out.accept(SourceItem.error(source, path, size, "unreadable", Formats.message(e)));
                }
                return;
            }
            if (Formats.archive(name) != null) {
                if (name.endsWith("-sources.jar")) {
                    MavenSources m = MavenSources.of(p);
                    if (!m.licenses().isEmpty() || m.coordinates() != null) {
                        new ArchiveReader(source, opt, out, m.metadata())
                                .readFile(
                                        p,
                                        path + "!/",
                                        m.licenses(),
                                        m.licenses().isEmpty());
                        return;
                    }
                }
                new ArchiveReader(source, opt, out, repo == null ? Map.of() : Map.of(Document.REPOSITORY.name(), repo))
                        .readFile(p, path + "!/", ctx.forPath(path), true);
                return;
            }
            if (Formats.isBinaryName(name)) {
                out.accept(SourceItem.dropped(source, path, size, "binary"));
                return;
            }
            if (size > opt.maxFileBytes()) {
                out.accept(SourceItem.dropped(source, path, size, "too-large"));
                return;
            }
            byte[] b;
            try (var in = Files.newInputStream(p)) {
                b = Formats.readBounded(in, opt.maxFileBytes());
            } catch (IOException | RuntimeException e) {
                out.accept(SourceItem.error(source, path, size, "unreadable", Formats.message(e)));
                return;
            }
            if (b.length > opt.maxFileBytes()) {
                out.accept(SourceItem.dropped(source, path, b.length, "too-large"));
                return;
            }
            out.accept(SourceItem.file(
                    source,
                    path,
                    b,
                    ctx.forPath(path),
                    repo == null ? Map.of() : Map.of(Document.REPOSITORY.name(), repo)));
        }
    }

    private static String child(String rel, String name) {
        return rel.isEmpty() ? name : rel + "/" + name;
    }

    @Override
    public String toString() {
        return "directory " + root;
    }
}
