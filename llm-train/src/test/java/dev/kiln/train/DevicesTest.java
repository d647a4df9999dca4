package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.kiln.core.KilnEnvironmentException;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void devicesByNameAndWhatTheRunUses() {
        assertThat(Devices.device("cpu")).isEqualTo(Device.cpu());
        assertThat(Devices.device("auto")).isEqualTo(Device.cpu()); // this machine has no GPU
        var info = Devices.describe(Device.cpu());
        assertThat(info)
                .containsEntry("device", "cpu")
                .containsEntry("libtorch", "2.7.1")
                .containsEntry("flavor", "cpu");
        assertThat(info.get("libtorch_path")).asString().isNotBlank();
    }

    @Test
    void namesAreCheckedWithoutLoadingAnything() {
        assertThat(Devices.normalize(" CPU ")).isEqualTo("cpu");
        assertThat(Devices.normalize(null)).isEqualTo("auto");
        assertThat(Devices.normalize("cuda")).isEqualTo("cuda:0");
        assertThat(Devices.normalize("gpu:02")).isEqualTo("cuda:2");
    }

    @Test
    void aGpuThatCannotBeReachedIsAnErrorSayingHowToFixIt() {
        for (String name : new String[] {"cuda", "cuda:1", "gpu"}) {
            assertThatThrownBy(() -> Devices.device(name))
                    .isInstanceOf(KilnEnvironmentException.class)
                    .hasMessageContaining("'" + name + "'")
                    .hasMessageContaining("sees no CUDA GPU")
                    .satisfies(e -> assertThat(((KilnEnvironmentException) e).fix())
                            .contains("PYTORCH_LIBRARY_PATH")
                            .contains("PYTORCH_FLAVOR=cu128"));
        }
        assertThatThrownBy(() -> Devices.normalize("cuda:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown device 'cuda:x' (use auto, cpu, cuda or cuda:N)");
        assertThatThrownBy(() -> Devices.device("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'");
    }

    /**
     * OpenMP keeps MKL's thread count per thread: a thread that did not call setThreads ran its
     * products on every core until applyThreads.
     */
    @Test
    void theIntraOpCountReachesAThreadThatDidNotSetIt() throws Throwable {
        Devices.setThreads(1, 1);
        assertThat(Devices.intraOpThreads()).isEqualTo(1);
        java.lang.invoke.MethodHandle mklThreads = java.lang.foreign.Linker.nativeLinker()
                .downcallHandle(
                        java.lang.foreign.SymbolLookup.libraryLookup(
                                        MklDispatch.loadedLibrary("libtorch_cpu.so"), java.lang.foreign.Arena.global())
                                .find("mkl_get_max_threads")
                                .orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT));
        assertThat((int) mklThreads.invokeExact()).isEqualTo(1);
        int[] seen = new int[2];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                seen[0] = (int) mklThreads.invokeExact();
                Devices.applyThreads();
                Devices.applyThreads(); // the second call changes nothing
                seen[1] = (int) mklThreads.invokeExact();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
        if (System.getenv("OMP_NUM_THREADS") == null && System.getenv("MKL_NUM_THREADS") == null) {
            assertThat(seen[0]).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
        assertThat(seen[1]).isEqualTo(1);
    }
}
