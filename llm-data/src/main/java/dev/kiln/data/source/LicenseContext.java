package dev.kiln.data.source;

import dev.kiln.data.license.LicenseClassifier;
import dev.kiln.data.license.PackageLicenses;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Repository-level licenses of a tree (a directory or an archive): what each directory's package
 * metadata or LICENSE file says; a file gets the nearest directory's.
 */
final class LicenseContext {

    /** License and metadata files larger than this are not read for licenses. */
    static final int MAX_LICENSE_FILE = 256 * 1024;

    private final Map<String, List<String>> fromPackage = new HashMap<>();
    private final Map<String, List<String>> fromText = new HashMap<>();
    private final Map<String, String> packageNames = new HashMap<>();
    private final List<String> base;

    LicenseContext(List<String> base) {
        this.base = base == null ? List.of() : List.copyOf(base);
    }

    /** Whether this file name is read for licenses. */
    static boolean wants(String fileName) {
        return PackageLicenses.isLicenseFile(fileName) || PackageLicenses.isPackageFile(fileName);
    }

    /** Records a license or metadata file at {@code path} (relative, {@code /}-separated). */
    void add(String path, String text) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        if (dir.equals("META-INF") || dir.endsWith("/META-INF")) {
            dir = dir.equals("META-INF") ? "" : dir.substring(0, dir.length() - "/META-INF".length());
        }
        if (PackageLicenses.isPackageFile(name)) {
            List<String> l = PackageLicenses.fromFile(name, text);
            if (!l.isEmpty()) {
                fromPackage.putIfAbsent(dir, l);
            }
            if (name.equals("package.json")) {
                String d = dir;
                PackageLicenses.packageJsonName(text).ifPresent(n -> packageNames.putIfAbsent(d, n));
            }
        } else {
            List<String> l = LicenseClassifier.classify(text);
            if (!l.isEmpty()) {
                fromText.merge(dir, l, (a, b) -> a);
            }
        }
    }

    /** The licenses of the nearest directory above {@code path} that has any, else the base licenses. */
    List<String> forPath(String path) {
        if (fromPackage.isEmpty() && fromText.isEmpty()) {
            return base;
        }
        String dir = path;
        while (true) {
            int slash = dir.lastIndexOf('/');
            dir = slash < 0 ? "" : dir.substring(0, slash);
            List<String> l = fromPackage.get(dir);
            if (l == null) {
                l = fromText.get(dir);
            }
            if (l != null) {
                return l;
            }
            if (dir.isEmpty()) {
                return base;
            }
        }
    }

    /** The npm package ({@code name@version}) above {@code path}, if any. */
    String packageFor(String path) {
        if (packageNames.isEmpty()) {
            return null;
        }
        String dir = path;
        while (true) {
            int slash = dir.lastIndexOf('/');
            dir = slash < 0 ? "" : dir.substring(0, slash);
            String n = packageNames.get(dir);
            if (n != null || dir.isEmpty()) {
                return n;
            }
        }
    }
}
