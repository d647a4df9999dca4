package dev.kiln.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file Kiln wrote or reads (manifest, tokenizer, shard, checkpoint, report) is malformed,
 * truncated or of the wrong kind. The message names the file and the problem.
 */
public class CorruptArtifactException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** A damaged or unreadable {@code path}; the message is {@code "path: problem"}. */
    public CorruptArtifactException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** As {@link #CorruptArtifactException(Path, String)}, with the error that revealed the damage. */
    public CorruptArtifactException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The offending file. */
    public Path path() {
        return path;
    }
}
