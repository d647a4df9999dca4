package dev.kiln.data.source;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/** File-name rules and stream helpers shared by the sources. */
final class Formats {

    private Formats() {}

    /** Archive kinds by file name. */
    enum Archive {
        ZIP,
        TAR,
        TAR_GZ,
        TAR_BZ2,
        TAR_XZ,
        TAR_ZST
    }

    static Archive archive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip") || n.endsWith(".jar") || n.endsWith(".war") || n.endsWith(".whl")) {
            return Archive.ZIP;
        }
        if (n.endsWith(".tar")) {
            return Archive.TAR;
        }
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            return Archive.TAR_GZ;
        }
        if (n.endsWith(".tar.bz2") || n.endsWith(".tbz2") || n.endsWith(".tbz")) {
            return Archive.TAR_BZ2;
        }
        if (n.endsWith(".tar.xz") || n.endsWith(".txz")) {
            return Archive.TAR_XZ;
        }
        if (n.endsWith(".tar.zst") || n.endsWith(".tzst")) {
            return Archive.TAR_ZST;
        }
        return null;
    }

    static boolean isJsonl(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String ext : new String[] {".jsonl", ".ndjson"}) {
            if (n.endsWith(ext) || n.endsWith(ext + ".gz") || n.endsWith(ext + ".zst") || n.endsWith(ext + ".xz")) {
                return true;
            }
        }
        return false;
    }

    private static final Set<String> BINARY = Set.of(
            "png",
            "jpg",
            "jpeg",
            "gif",
            "bmp",
            "ico",
            "icns",
            "webp",
            "tif",
            "tiff",
            "psd",
            "xcf",
            "pdf",
            "class",
            "so",
            "dll",
            "dylib",
            "exe",
            "bin",
            "o",
            "obj",
            "a",
            "lib",
            "pyc",
            "pyo",
            "wasm",
            "woff",
            "woff2",
            "ttf",
            "otf",
            "eot",
            "mp3",
            "mp4",
            "wav",
            "ogg",
            "flac",
            "avi",
            "mov",
            "mkv",
            "webm",
            "db",
            "sqlite",
            "npy",
            "npz",
            "pt",
            "pth",
            "onnx",
            "h5",
            "pkl",
            "parquet",
            "arrow",
            "avro",
            "orc",
            "gz",
            "bz2",
            "xz",
            "zst",
            "7z",
            "rar",
            "iso",
            "dmg",
            "deb",
            "rpm",
            "apk",
            "ipa",
            "jks",
            "keystore",
            "p12",
            "der",
            "ser",
            "dat",
            "idx",
            "pack",
            "swf",
            "fla",
            "blend",
            "fbx",
            "glb",
            "jmod",
            "snap",
            "sym",
            "lz4",
            "br");

    /** Whether a file name has a known binary extension. */
    static boolean isBinaryName(String name) {
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        if (dot < 0 || dot < slash) {
            return false;
        }
        return BINARY.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A decompressing stream for a file name's compression suffix (.gz, .zst, .xz, .bz2), else the stream. */
    static InputStream decompress(String name, InputStream in) throws IOException {
        String n = name.toLowerCase(Locale.ROOT);
        InputStream b = new BufferedInputStream(in, 1 << 16);
        if (n.endsWith(".gz") || n.endsWith(".tgz")) {
            return new GZIPInputStream(b, 1 << 16);
        }
        if (n.endsWith(".zst") || n.endsWith(".tzst")) {
            return new ZstdInputStream(b);
        }
        if (n.endsWith(".xz") || n.endsWith(".txz")) {
            return new XZInputStream(b);
        }
        if (n.endsWith(".bz2") || n.endsWith(".tbz2") || n.endsWith(".tbz")) {
            return new BZip2CompressorInputStream(b);
        }
        return b;
    }

    /** Thrown by {@link Capped} when an archive inflates past its cap. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** Counts bytes read and fails past a cap. */
    static final class Capped extends FilterInputStream {
        private final long cap;
        private long count;

        Capped(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        long count() {
            return count;
        }

        private void add(long n) throws TooLargeException {
            count += n;
            if (count > cap) {
                throw new TooLargeException("decompressed more than " + cap + " bytes");
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) {
                add(s);
            }
            return s;
        }
    }

    /**
     * Reads at most {@code max + 1} bytes: a result longer than {@code max} means "too large" (the
     * rest is not read).
     */
    static byte[] readBounded(InputStream in, long max) throws IOException {
        int limit = (int) Math.min(Integer.MAX_VALUE - 16, max + 1);
        byte[] buf = new byte[(int) Math.min(limit, 8192)];
        int n = 0;
        while (n < limit) {
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit, (long) buf.length * 2));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
    }

    /** One line of an exception's message, for error details. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (nl >= 0 ? m.substring(0, nl) : m);
    }
}
