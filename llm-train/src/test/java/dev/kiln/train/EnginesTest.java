package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.kiln.core.KilnEnvironmentException;
import org.junit.jupiter.api.Test;

class EnginesTest {

    @Test
    void devicesByNameAndWhatTheRunUses() {
        assertThat(Engines.device("cpu")).isEqualTo(Device.cpu());
        assertThat(Engines.device("auto")).isEqualTo(Device.cpu()); // this machine has no GPU
        var info = Engines.describe(Device.cpu());
        assertThat(info)
                .containsEntry("device", "cpu")
                .containsEntry("libtorch", "2.7.1")
                .containsEntry("flavor", "cpu");
        assertThat(info.get("libtorch_path")).asString().isNotBlank();
    }

    @Test
    void aGpuThatCannotBeReachedIsAnErrorSayingHowToFixIt() {
        for (String name : new String[] {"cuda", "cuda:1", "gpu"}) {
            assertThatThrownBy(() -> Engines.device(name))
                    .isInstanceOf(KilnEnvironmentException.class)
                    .hasMessageContaining("'" + name + "'")
                    .hasMessageContaining("sees no CUDA GPU")
                    .satisfies(e -> assertThat(((KilnEnvironmentException) e).fix())
                            .contains("PYTORCH_LIBRARY_PATH")
                            .contains("PYTORCH_FLAVOR=cu128"));
        }
        assertThatThrownBy(() -> Engines.device("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'");
    }
}
