package dev.kiln.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.KilnEnvironmentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PyTorch engine behind DJL: device choice and thread counts.
 *
 * <p>CPU libtorch comes from Maven Central ({@code pytorch-native-cpu}), so nothing is downloaded.
 * For CUDA: online, DJL downloads the CUDA build matching libtorch 2.7.1 by itself; offline, set
 * {@code PYTORCH_LIBRARY_PATH} to a libtorch 2.7.1 CUDA install (the directory holding {@code
 * libtorch.so}) and {@code PYTORCH_FLAVOR=cu124} (or the CUDA version it was built for).
 *
 * <pre>{@code
 * Engines.setThreads(1, 1);
 * Device d = Engines.device("auto");   // first GPU when present, else CPU
 * }</pre>
 */
public final class Engines {

    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    /** The PyTorch engine, with a clear error when it cannot load. */
    public static Engine pytorch() {
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new KilnEnvironmentException(
                    "the PyTorch engine could not be loaded: " + e.getMessage(),
                    "put ai.djl.pytorch:pytorch-engine, pytorch-jni and pytorch-native-cpu (classifier linux-x86_64) on"
                            + " the class path, or set PYTORCH_LIBRARY_PATH to a libtorch 2.7.1 install",
                    e);
        }
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
        String n = name == null ? "auto" : name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (n.equals("auto")) {
            return pytorch().getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        } else if (n.equals("cuda") || n.equals("gpu")) {
            index = 0;
        } else if (n.matches("(cuda|gpu):[0-9]{1,3}")) {
            index = Integer.parseInt(n.substring(n.indexOf(':') + 1));
        } else {
            throw new IllegalArgumentException("unknown device '" + name + "' (use auto, cpu, cuda or cuda:N)");
        }
        Engine e = pytorch();
        int gpus = e.getGpuCount();
        if (gpus == 0) {
            throw new KilnEnvironmentException(
                    "device '" + name + "' was requested but the loaded libtorch (" + flavor()
                            + ") sees no CUDA GPU, so nothing would run on a GPU",
                    "use device: cpu, or load a CUDA libtorch " + e.getVersion()
                            + ": set PYTORCH_LIBRARY_PATH to its lib"
                            + " folder (e.g. torch/lib of a torch==" + e.getVersion() + " CUDA wheel), PYTORCH_VERSION="
                            + e.getVersion() + " and PYTORCH_FLAVOR=cu128, or run without -Dai.djl.offline=true so DJL"
                            + " downloads it");
        }
        if (index >= gpus) {
            throw new KilnEnvironmentException(
                    "device '" + name + "' was requested but libtorch sees " + gpus + " GPU(s): cuda:0.." + "cuda:"
                            + (gpus - 1),
                    "pick one of those, or check CUDA_VISIBLE_DEVICES");
        }
        return Device.gpu(index);
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
        if (device.isGpu()) {
            m.put("compute_capability", ai.djl.util.cuda.CudaUtils.getComputeCapability(device.getDeviceId()));
            m.put(
                    "gpu_memory_bytes",
                    ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getMax());
        }
        return m;
    }

    /**
     * Sets libtorch's intra-op and inter-op thread counts. The inter-op count can only be set
     * before the first parallel operation; a later attempt is logged and ignored.
     */
    public static void setThreads(int intraOp, int interOp) {
        pytorch();
        if (intraOp < 1 || interOp < 1) {
            throw new IllegalArgumentException(
                    "thread counts must be >= 1, got intra-op " + intraOp + ", inter-op " + interOp);
        }
        JniUtils.setNumThreads(intraOp);
        if (JniUtils.getNumInteropThreads() != interOp) {
            try {
                JniUtils.setNumInteropThreads(interOp);
            } catch (RuntimeException e) {
                LOG.debug("inter-op threads stay at {}: {}", JniUtils.getNumInteropThreads(), e.getMessage());
            }
        }
    }
}
