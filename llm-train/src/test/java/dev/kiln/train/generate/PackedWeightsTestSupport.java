package dev.kiln.train.generate;

/** Where the CPU libtorch from Maven carries MKL's packing functions (Linux x86-64). */
final class PackedWeightsTestSupport {

    private PackedWeightsTestSupport() {}

    static boolean mklPlatform() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }
}
