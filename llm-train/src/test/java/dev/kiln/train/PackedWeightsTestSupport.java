package dev.kiln.train;

/** Where the CPU libtorch from Maven carries MKL's packing functions (Linux x86-64), for tests. */
public final class PackedWeightsTestSupport {

    private PackedWeightsTestSupport() {}

    /** Whether this JVM's platform is one whose libtorch exports {@code cblas_sgemm_pack}. */
    public static boolean mklPlatform() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }
}
