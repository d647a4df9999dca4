package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.KilnEnvironmentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real pytorch-jni 2.7.1-0.36.0 jar on the test class path (cpu and cu128 for linux-x86_64). */
class LibtorchPreflightTest {

    private static final ClassLoader CL = LibtorchPreflightTest.class.getClassLoader();

    /** A folder laid out like a torch wheel: torch/version.py beside torch/lib. */
    private static String wheel(Path dir, String version) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("torch/lib"));
        Files.writeString(dir.resolve("torch/version.py"), "__version__ = '" + version + "'\ncuda = None\n");
        return lib.toString();
    }

    @Test
    void aVersionOtherThanTheJnisIsAnErrorNamingBoth() {
        assertThatThrownBy(() -> LibtorchPreflight.check("2.6.0", "cu124", null, CL))
                .isInstanceOf(KilnEnvironmentException.class)
                .hasMessageContaining("PYTORCH_VERSION=2.6.0")
                .hasMessageContaining("pytorch-jni 2.7.1-0.36.0")
                .hasMessageContaining("set PYTORCH_VERSION=2.7.1");
    }

    @Test
    void aCudaFlavourTheJniWasNotBuiltForIsAnErrorNamingBoth() {
        assertThatThrownBy(() -> LibtorchPreflight.check("2.7.1", "cu124", null, CL))
                .isInstanceOf(KilnEnvironmentException.class)
                .hasMessageContaining("flavour cu124")
                .hasMessageContaining("holds cpu, cu128 for linux-x86_64");
    }

    @Test
    void theLibtorchInTheLibraryPathIsReadAndComparedWithTheJni(@TempDir Path dir) throws Exception {
        String old = wheel(dir.resolve("old"), "2.6.0+cu124");
        assertThatThrownBy(() -> LibtorchPreflight.check("2.7.1", "cu128", old, CL))
                .isInstanceOf(KilnEnvironmentException.class)
                .hasMessageContaining("holds libtorch 2.6.0+cu124")
                .hasMessageContaining("pytorch-jni 2.7.1-0.36.0");
        String cu126 = wheel(dir.resolve("cu126"), "2.7.1+cu126");
        assertThatThrownBy(() -> LibtorchPreflight.check("2.7.1", "cu128", cu126, CL))
                .hasMessageContaining("PYTORCH_FLAVOR=cu128 but")
                .hasMessageContaining("cu126 libtorch (2.7.1+cu126)");
        String good = wheel(dir.resolve("good"), "2.7.1+cu128");
        assertThatThrownBy(() -> LibtorchPreflight.check("2.7.1", null, good, CL))
                .hasMessageContaining("PYTORCH_FLAVOR is not set")
                .hasMessageContaining("set PYTORCH_FLAVOR=cu128");
        assertThatCode(() -> LibtorchPreflight.check("2.7.1", "cu128", good, CL))
                .doesNotThrowAnyException();
    }

    @Test
    void nothingAskedForIsFine() {
        assertThatCode(() -> LibtorchPreflight.check(null, null, null, CL)).doesNotThrowAnyException();
        assertThatCode(() -> LibtorchPreflight.check("2.7.1", "cpu", null, CL)).doesNotThrowAnyException();
    }

    @Test
    void devicesChecksBeforeDjlLoadsAnything() {
        System.setProperty("PYTORCH_VERSION", "2.5.1");
        try {
            assertThatThrownBy(() -> Devices.device("cpu"))
                    .isInstanceOf(KilnEnvironmentException.class)
                    .hasMessageContaining("PYTORCH_VERSION=2.5.1")
                    .hasMessageContaining("built for libtorch 2.7.1");
        } finally {
            System.clearProperty("PYTORCH_VERSION");
        }
        assertThatCode(() -> Devices.device("cpu")).doesNotThrowAnyException();
    }
}
