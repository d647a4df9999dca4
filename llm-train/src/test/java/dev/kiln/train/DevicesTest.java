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
}
