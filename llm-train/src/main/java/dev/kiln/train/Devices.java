package dev.kiln.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.KilnEnvironmentException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves devices for DJL's PyTorch engine: which device a run uses, which libtorch is loaded, and
 * thread counts. (Named for what it resolves; "engine" in Kiln means the serving engine.)
 *
 * <p>CPU libtorch comes from Maven Central ({@code pytorch-native-cpu}), so nothing is downloaded.
 * For CUDA set {@code PYTORCH_LIBRARY_PATH} to a libtorch 2.7.1 CUDA install (the directory holding
 * {@code libtorch.so}), {@code PYTORCH_VERSION=2.7.1} and {@code PYTORCH_FLAVOR=cu128}; or take the
 * CPU jar off the class path and let DJL download the CUDA build ({@code KILN_LIBTORCH=download}
 * with {@code ./llm}). A version or flavour the class path's JNI library cannot work with is an
 * error naming both before DJL loads anything.
 *
 * <pre>{@code
 * Devices.setThreads(1, 1);
 * Device d = Devices.device("auto");   // first GPU when present, else CPU
 * }</pre>
 */
public final class Devices {

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    /**
     * The PyTorch engine, with a clear error when it cannot load or when the libtorch asked for
     * ({@code PYTORCH_VERSION}, {@code PYTORCH_FLAVOR}, {@code PYTORCH_LIBRARY_PATH}) does not match the JNI library on the class path.
     * With {@code KILN_MKL_AMD=on}, on an AMD CPU the first call lets MKL use the kernels of the
     * CPU's instruction sets (see {@code MklDispatch}; off by default).
     */
    public static Engine pytorch() {
        LibtorchPreflight.check(
                ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_VERSION"),
                ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR"),
                ai.djl.util.Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH"),
                Devices.class.getClassLoader());
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new KilnEnvironmentException(
                    "the PyTorch engine could not be loaded: " + e.getMessage(),
                    "put ai.djl.pytorch:pytorch-engine, pytorch-jni and pytorch-native-cpu (classifier linux-x86_64) on"
                            + " the class path, or set PYTORCH_LIBRARY_PATH to a libtorch 2.7.1 install",
                    e);
        }
        MklDispatch.apply(); // a bad KILN_MKL_AMD value is the caller's IllegalArgumentException
        return engine;
    }

    /**
     * A device by name: {@code cpu}; {@code cuda} / {@code gpu} (the first GPU) or {@code cuda:N} /
     * {@code gpu:N}, an error when libtorch sees no such GPU; {@code auto} (the first GPU when
     * present, else the CPU).
     *
     * @throws KilnEnvironmentException when a GPU is asked for and the loaded libtorch cannot reach
     *     one, saying how to load a CUDA libtorch
     * @throws IllegalArgumentException for a name that is not a device
     */
    public static Device device(String name) {
        String n = normalize(name);
        Engine e = pytorch();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("auto")) {
            return e.getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        int index = Integer.parseInt(n.substring(n.indexOf(':') + 1));
        int gpus = e.getGpuCount();
        if (gpus == 0) {
            throw new KilnEnvironmentException(
                    "device '" + name + "' was requested but the loaded libtorch (" + flavor()
                            + ") sees no CUDA GPU, so nothing would run on a GPU",
                    "use device: cpu, or load a CUDA libtorch " + e.getVersion()
                            + ": set PYTORCH_LIBRARY_PATH to its lib"
                            + " folder (e.g. torch/lib of a torch==" + e.getVersion() + " CUDA wheel), PYTORCH_VERSION="
                            + e.getVersion() + " and PYTORCH_FLAVOR=cu128, or run ./llm with KILN_LIBTORCH=download so"
                            + " DJL downloads one");
        }
        if (index >= gpus) {
            throw new KilnEnvironmentException(
                    "device '" + name + "' was requested but libtorch sees " + gpus + " GPU(s): cuda:0.." + "cuda:"
                            + (gpus - 1),
                    "pick one of those, or check CUDA_VISIBLE_DEVICES");
        }
        return Device.gpu(index);
    }

    /**
     * Checks a device name without loading anything, for command-line flags: returns {@code auto},
     * {@code cpu} or {@code cuda:N} ({@code cuda} and {@code gpu} mean {@code cuda:0}; null means
     * {@code auto}).
     *
     * <pre>{@code
     * Devices.normalize("CUDA");   // "cuda:0"
     * }</pre>
     *
     * @throws IllegalArgumentException for a name that is not a device, quoting it
     */
    public static String normalize(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu") || n.equals("auto")) {
            return n;
        } else if (n.equals("cuda") || n.equals("gpu")) {
            return "cuda:0";
        } else if (n.matches("(cuda|gpu):[0-9]{1,3}")) {
            return "cuda:" + Integer.parseInt(n.substring(n.indexOf(':') + 1));
        }
        throw new IllegalArgumentException("unknown device '" + name + "' (use auto, cpu, cuda or cuda:N)");
    }

    /** The loaded libtorch's build: {@code cpu}, {@code cu128}, ... (from its folder name or PYTORCH_FLAVOR). */
    public static String flavor() {
        pytorch();
        String path = "";
        try {
            path = String.valueOf(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        } catch (RuntimeException e) {
            // unknown location: fall back to the variable
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(cpu|cu[0-9]{2,3})")
                .matcher(path.substring(path.lastIndexOf('/') + 1));
        if (m.find()) {
            return m.group(1);
        }
        String env = System.getenv("PYTORCH_FLAVOR");
        return env != null && !env.isBlank() ? env : pytorch().hasCapability("CUDA") ? "cuda" : "cpu";
    }

    /**
     * What a run uses, for logs and manifests: device, libtorch version and flavour, its folder, and
     * for a GPU its compute capability and memory.
     */
    public static java.util.Map<String, Object> describe(Device device) {
        Engine e = pytorch();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("device", device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu");
        m.put("libtorch", e.getVersion());
        m.put("flavor", flavor());
        try {
            m.put("libtorch_path", String.valueOf(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()));
        } catch (RuntimeException ex) {
            m.put("libtorch_path", null);
        }
        m.put("intra_op_threads", JniUtils.getNumThreads());
        m.put("mkl_amd", MklDispatch.outcome());
        if (device.isGpu()) {
            m.put("compute_capability", ai.djl.util.cuda.CudaUtils.getComputeCapability(device.getDeviceId()));
            m.put(
                    "gpu_memory_bytes",
                    ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getMax());
        }
        return m;
    }

    /** The intra-op count of the last {@link #setThreads} (0: never set). */
    private static volatile int intraOpThreads;

    /** The intra-op count applied on each thread (0: none). */
    private static final ThreadLocal<int[]> APPLIED = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Sets libtorch's intra-op and inter-op thread counts. The inter-op count can only be set
     * before the first parallel operation; a later attempt is logged and ignored. The intra-op
     * count also bounds the OpenMP threads of MKL's matrix products, a setting OpenMP keeps per
     * thread: a thread that computes without having called this should call {@link #applyThreads()}.
     */
    public static void setThreads(int intraOp, int interOp) {
        pytorch();
        if (intraOp < 1 || interOp < 1) {
            throw new IllegalArgumentException(
                    "thread counts must be >= 1, got intra-op " + intraOp + ", inter-op " + interOp);
        }
        JniUtils.setNumThreads(intraOp);
        intraOpThreads = intraOp;
        APPLIED.get()[0] = intraOp;
        if (JniUtils.getNumInteropThreads() != interOp) {
            try {
                JniUtils.setNumInteropThreads(interOp);
            } catch (RuntimeException e) {
                LOG.debug("inter-op threads stay at {}: {}", JniUtils.getNumInteropThreads(), e.getMessage());
            }
        }
    }

    /**
     * Applies the intra-op count of the last {@link #setThreads} to the calling thread; nothing
     * when it was never set or is already applied here (one thread-local read). OpenMP, which
     * runs MKL's matrix products, keeps its thread count per thread, and a thread that never set
     * it uses every core: a serving thread's products then competed with the HTTP threads for the
     * cores that {@code threads} left them (measured: {@code mkl_get_max_threads()} was 1 on the
     * thread that called {@link #setThreads} and 2 on a new one, even after a libtorch product).
     */
    public static void applyThreads() {
        int n = intraOpThreads;
        if (n > 0) {
            int[] applied = APPLIED.get();
            if (applied[0] != n) {
                JniUtils.setNumThreads(n);
                applied[0] = n;
            }
        }
    }

    /** Linux's SCHED_IDLE policy. */
    private static final int SCHED_IDLE = 5;

    /**
     * Puts the calling thread in Linux's {@code SCHED_IDLE} class, for background work beside a
     * latency-bound thread (the serving engine's product helpers): any other runnable thread on its
     * core runs first, and the kernel treats a core running only such threads as idle when it
     * places a thread that wakes up. Without it the helpers' products pushed the server's HTTP and
     * client threads onto the stepping thread's core, which then lost its core for milliseconds
     * inside a product. Lowering one's own priority needs no privilege; on other systems, or where
     * the call fails, it does nothing and returns false.
     *
     * <pre>{@code
     * Thread.ofPlatform().start(() -> {
     *     Devices.idlePriority();
     *     backgroundWork();
     * });
     * }</pre>
     *
     * @return whether the calling thread is now in the idle class
     */
    public static boolean idlePriority() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return false;
        }
        try {
            Linker linker = Linker.nativeLinker();
            var fn = linker.defaultLookup().find("sched_setscheduler");
            if (fn.isEmpty()) {
                return false;
            }
            var h = linker.downcallHandle(
                    fn.get(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment param = arena.allocate(ValueLayout.JAVA_INT); // struct sched_param, priority 0
                int rc = (int) h.invokeExact(0, SCHED_IDLE, param);
                return rc == 0;
            }
        } catch (Throwable e) {
            LOG.debug("SCHED_IDLE not set", e);
            return false;
        }
    }

    /** The intra-op count of the last {@link #setThreads}, or 0; for tests. */
    static int intraOpThreads() {
        return intraOpThreads;
    }
}
