package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.kiln.train.optim.AdamW;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by earlier Kiln versions still load, and writing them again gives the same bytes:
 * the goldens were written by the code before the checksummed framing moved to llm-core.
 */
class FramedFilesGoldenTest {

    static final GptConfig GOLDEN = GptConfig.builder()
            .setVocabSize(11)
            .setContextLength(4)
            .optDModel(8)
            .optHeads(2)
            .optLayers(1)
            .build();

    static Path golden(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        try (InputStream in = FramedFilesGoldenTest.class.getResourceAsStream("golden/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void oldParameterFileLoadsAndIsWrittenIdentically(@TempDir Path dir) throws Exception {
        Path old = golden(dir, "model-v1.params");
        Path again = dir.resolve("again.params");
        try (GptModel model = GptModel.fromValues(GOLDEN, GptModel.readParameterFile(old, GOLDEN), Device.cpu())) {
            model.writeParameterFile(again);
        }
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(old));
        try (GptModel fresh = GptModel.create(GOLDEN, 7, Device.cpu())) {
            fresh.writeParameterFile(again);
        }
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(old));
    }

    @Test
    void oldOptimizerStateLoadsAndIsWrittenIdentically(@TempDir Path dir) throws Exception {
        Path old = golden(dir, "adamw-v1.bin");
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = param(m, "w", new Shape(2, 3), Parameter.Type.WEIGHT);
            Parameter b = param(m, "b", new Shape(3), Parameter.Type.BIAS);
            AdamW opt = AdamW.builder().build(List.of(w, b), m);
            opt.load(old);
            assertThat(opt.steps()).isEqualTo(2);
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            opt.save(again);
            assertThat(again.toByteArray()).isEqualTo(Files.readAllBytes(old));
        }
    }

    static Parameter param(NDManager m, String name, Shape shape, Parameter.Type type) {
        NDArray a = m.zeros(shape);
        a.setName(name);
        a.setRequiresGradient(true);
        return Parameter.builder().setName(name).setType(type).optArray(a).build();
    }
}
