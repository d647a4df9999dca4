package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MKL's kernel choice on AMD CPUs: applied once with the engine, honours its off switch, and products stay right. */
class MklDispatchTest {

    @Test
    void offByDefaultAndABadValueIsAClearError() {
        assertThat(MklDispatch.attempt(null)).startsWith("off (");
        assertThat(MklDispatch.attempt(" OFF ")).startsWith("off (");
        assertThatThrownBy(() -> MklDispatch.attempt("yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("KILN_MKL_AMD='yes' is not one of: on, off (default)");
    }

    @Test
    void appliedWithTheEngineOnAnAmdCpuAndProductsStayRight() throws Exception {
        Devices.pytorch();
        String outcome = MklDispatch.outcome();
        assertThat(outcome).isNotNull();
        boolean amd = Files.readString(Path.of("/proc/cpuinfo")).contains("AuthenticAMD");
        if (System.getenv("KILN_MKL_AMD") == null && System.getProperty("kiln.mkl.amd") == null) {
            assertThat(outcome).startsWith("off (");
        }
        // Asked for, with the engine loaded: applied on AMD (unless a product ran first in this
        // JVM, in which case MKL had already chosen), and nowhere else.
        String on = MklDispatch.attempt("on");
        if (amd) {
            assertThat(on).matches("on \\((AVX-512|AVX2)\\)|already on|not applied: MKL had already chosen.*");
        } else {
            assertThat(on).isIn("not applied: not an AMD CPU", "not applied: not Linux on x86-64");
        }
        // Whatever kernels MKL uses now, a 16-row product equals a float64 reference.
        int rows = 16;
        int in = 96;
        int out = 136;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[rows * in];
        float[] w = new float[out * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Linear.linear(m.create(x, new Shape(rows, in)), m.create(w, new Shape(out, in)))
                    .head();
            float[] got = y.toFloatArray();
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < out; o++) {
                    double want = 0;
                    for (int k = 0; k < in; k++) {
                        want += (double) x[i * in + k] * w[o * in + k];
                    }
                    assertThat((double) got[i * out + o])
                            .as("row %s, output %s", i, o)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-3));
                }
            }
        }
    }
}
