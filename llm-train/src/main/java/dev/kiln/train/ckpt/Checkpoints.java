package dev.kiln.train.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint folder: {@code step-000100/} directories, each complete or absent (written under a
 * temporary name and renamed), with a {@code manifest.json} listing every file's size and CRC-32,
 * and a {@code latest} file naming the newest, written last.
 *
 * <pre>{@code
 * Path dir = Checkpoints.commit(folder, 100, tmp -> { ...write files into tmp... }, manifest, 3);
 * Optional<Path> newest = Checkpoints.newestValid(folder);   // skips damaged ones with a warning
 * }</pre>
 */
public final class Checkpoints {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    /** The pointer file naming the newest checkpoint directory. */
    public static final String LATEST = "latest";

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{6,})");

    private Checkpoints() {}

    /** Writes files into a directory. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the checkpoint's files into {@code dir}. */
        void write(Path dir) throws IOException;
    }

    /** The directory name of step {@code step}'s checkpoint, e.g. {@code step-002000}. */
    public static String dirName(long step) {
        return String.format(java.util.Locale.ROOT, "step-%06d", step);
    }

    /** The step of a checkpoint directory name, or -1. */
    public static long stepOf(Path dir) {
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes a checkpoint: files into a temporary directory, then the manifest (with file sizes and
     * CRCs), then renames it to {@code step-NNNNNN}, then updates {@code latest}, then deletes all
     * but the newest {@code keep}. A failure before the rename leaves the previous checkpoints
     * untouched.
     */
    public static Path commit(Path folder, long step, Writer writer, Manifest manifest, int keep) throws IOException {
        Files.createDirectories(folder);
        Path target = folder.resolve(dirName(step));
        Path tmp = Files.createTempDirectory(folder, AtomicFiles.TMP_PREFIX + dirName(step) + "-");
        try {
            writer.write(tmp);
            Map<String, Object> props = new LinkedHashMap<>(manifest.properties());
            props.put("files", fileSums(tmp));
            new Manifest(manifest.kind(), manifest.version(), manifest.counts(), manifest.provenance(), props)
                    .write(tmp);
            if (Files.exists(target)) {
                AtomicFiles.deleteRecursively(target);
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                AtomicFiles.deleteRecursively(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        AtomicFiles.writeString(folder.resolve(LATEST), target.getFileName() + "\n");
        prune(folder, keep);
        return target;
    }

    private static Map<String, Object> fileSums(Path dir) throws IOException {
        Map<String, Object> files = new LinkedHashMap<>();
        List<Path> list = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(list::add);
        }
        list.sort(Comparator.comparing(Path::toString));
        for (Path p : list) {
            String name = p.getFileName().toString();
            if (Files.isRegularFile(p) && !name.equals(Manifest.FILE_NAME)) {
                files.put(name, Map.of("bytes", Files.size(p), "crc32", crc(p)));
            }
        }
        return files;
    }

    private static long crc(Path p) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue();
    }

    /**
     * Checks a checkpoint directory against its manifest (every listed file present with its size
     * and CRC-32).
     *
     * @throws CorruptArtifactException when something is missing or damaged
     */
    public static void verify(Path dir) throws IOException {
        Manifest m = Manifest.read(dir, "checkpoint");
        Object files = m.properties().get("files");
        if (!(files instanceof Map<?, ?> map) || map.isEmpty()) {
            throw new CorruptArtifactException(dir.resolve(Manifest.FILE_NAME), "lists no files");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Path f = dir.resolve(String.valueOf(e.getKey()));
            JsonNode want = Json.mapper().valueToTree(e.getValue());
            if (!Files.isRegularFile(f)) {
                throw new CorruptArtifactException(f, "is missing from the checkpoint");
            }
            if (Files.size(f) != want.path("bytes").asLong()
                    || crc(f) != want.path("crc32").asLong()) {
                throw new CorruptArtifactException(f, "does not match the checksum in the manifest (damaged)");
            }
        }
    }

    /** Checkpoint directories of {@code folder}, newest first. */
    public static List<Path> list(Path folder) throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return dirs;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && stepOf(p) >= 0) {
                    dirs.add(p);
                }
            }
        }
        dirs.sort(Comparator.comparingLong(Checkpoints::stepOf).reversed());
        return dirs;
    }

    /**
     * The newest checkpoint that verifies, skipping damaged ones with a warning. The {@code latest}
     * pointer is a hint only: a checkpoint renamed into place before a crash is still found.
     */
    public static Optional<Path> newestValid(Path folder) throws IOException {
        for (Path dir : list(folder)) {
            try {
                verify(dir);
                return Optional.of(dir);
            } catch (IOException e) {
                LOG.warn("skipping checkpoint {}: {}", dir, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The directory named by {@code latest}, if any. */
    public static Optional<Path> latest(Path folder) throws IOException {
        Path f = folder.resolve(LATEST);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String name = Files.readString(f, StandardCharsets.UTF_8).trim();
        return name.isEmpty() ? Optional.empty() : Optional.of(folder.resolve(name));
    }

    private static void prune(Path folder, int keep) throws IOException {
        if (keep < 1) {
            return;
        }
        List<Path> dirs = list(folder);
        for (int i = keep; i < dirs.size(); i++) {
            AtomicFiles.deleteRecursively(dirs.get(i));
        }
        // Leftovers of interrupted saves.
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, AtomicFiles.TMP_PREFIX + "step-*")) {
            for (Path p : ds) {
                AtomicFiles.deleteRecursively(p);
            }
        }
    }
}
