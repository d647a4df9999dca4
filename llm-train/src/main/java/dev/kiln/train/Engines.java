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
     * A device by name: {@code cpu}, {@code gpu} / {@code cuda} (the first GPU, error when none),
     * or {@code auto} (the first GPU when present, else CPU).
     */
    public static Device device(String name) {
        Engine e = pytorch();
        switch (name == null ? "auto" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                if (e.getGpuCount() == 0) {
                    throw new KilnEnvironmentException(
                            "device 'gpu' was requested but no CUDA GPU is visible to libtorch",
                            "use device: cpu, or install a CUDA libtorch 2.7.1 and set PYTORCH_LIBRARY_PATH");
                }
                return Device.gpu(0);
            case "auto":
                return e.getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
            default:
                throw new IllegalArgumentException("unknown device '" + name + "' (use cpu, gpu or auto)");
        }
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
