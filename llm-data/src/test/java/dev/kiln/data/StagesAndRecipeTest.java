package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.Document;
import dev.kiln.data.license.LicenseFilter;
import dev.kiln.data.license.OptOut;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagesAndRecipeTest {

    @TempDir
    Path tmp;

    @Test
    void licenseAndOptOutAreRegistered() {
        assertThat(Stages.names()).contains("license", "optout");
        Stage lic = Stages.create("license", Map.of("allow", List.of("MIT"), "keep_unknown", true));
        assertThat(lic).isInstanceOf(LicenseFilter.class);
        assertThat(((LicenseFilter) lic).allow()).containsExactly("MIT");
        assertThatThrownBy(() -> Stages.create("license", Map.of("alow", List.of("MIT"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alow")
                .hasMessageContaining("allow");
        assertThatThrownBy(() -> Stages.create("license", Map.of("allow", List.of("Frobnicate-9"))))
                .hasMessageContaining("Frobnicate-9");
    }

    @Test
    void optOutListFile() throws IOException {
        Path list = Fixtures.write(
                tmp.resolve("optout.txt"), "# removal requests\nacme/secret\nrepo:Other/Repo\npath:**/internal/**\n");
        Stage s = Stages.create("optout", Map.of("list", list.toString()));
        OptOut o = (OptOut) s;
        Document d = Document.of("1", "x").withPath("src/internal/a.py");
        assertThat(o.test(d).reason()).isEqualTo("opted-out");
        assertThat(o.test(Document.of("2", "x").with(Document.REPOSITORY, "other/repo"))
                        .keep())
                .isFalse();
        assertThat(o.test(Document.of("3", "x").withPath("src/a.py").with(Document.REPOSITORY, "acme/open"))
                        .keep())
                .isTrue();
    }

    @Test
    void recipesFromYaml() throws IOException {
        Recipe def = Recipe.defaultRecipe();
        assertThat(def.stageNames()).contains("license");
        assertThat(def.stages()).isNotEmpty();

        Path f = Fixtures.write(
                tmp.resolve("r.yaml"),
                "name: strict\nstages:\n  - license: {allow: [MIT, Apache-2.0]}\n  - optout:\n      repositories: [acme/secret]\n");
        Recipe r = Recipe.load(f);
        assertThat(r.name()).isEqualTo("strict");
        assertThat(r.stageNames()).containsExactly("license", "optout");
        assertThat(((LicenseFilter) r.stages().get(0)).allow()).containsExactly("MIT", "Apache-2.0");

        assertThatThrownBy(() -> Recipe.parse("stages:\n  - no-such-stage\n", "x", "x.yaml")
                        .stages())
                .hasMessageContaining("no-such-stage")
                .hasMessageContaining("license");
        assertThatThrownBy(() -> Recipe.parse("steps: [license]\n", "x", "bad.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("stages:");
        assertThatThrownBy(() -> Recipe.parse("stages:\n  - license: [1, 2]\n", "x", "bad.yaml"))
                .hasMessageContaining("options must be a map");
        assertThat(Files.exists(f)).isTrue();
    }

    /** Every bundled stage reads its options through one parser, so its errors share one format. */
    @Test
    void stageOptionErrorsShareOneFormat() {
        assertThatThrownBy(() -> Stages.create("license", Map.of("alow", List.of("MIT"))))
                .hasMessage("stage 'license': unknown option 'alow'; valid options: allow, detect, keep_unknown");
        assertThatThrownBy(() -> Stages.create("optout", Map.of("path", "x/**")))
                .hasMessage("stage 'optout': unknown option 'path'; valid options: list, paths, repositories");
        assertThatThrownBy(() -> Stages.create("max-line-length", Map.of("maxx", 10)))
                .hasMessageStartingWith("stage 'max-line-length': unknown option 'maxx'; valid options: ");
        assertThatThrownBy(() -> Stages.create("exact-dedup", Map.of("normalisation", "none")))
                .hasMessage("stage 'exact-dedup': unknown option 'normalisation'; valid options: normalization");
        assertThatThrownBy(() -> Stages.create("license", Map.of("keep_unknown", "maybe")))
                .hasMessage("stage 'license': option 'keep_unknown' must be true or false, got 'maybe'");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("ngram", "five")))
                .hasMessage("stage 'near-dedup': option 'ngram' must be an integer, got 'five'");
        assertThatThrownBy(() -> Stages.create("max-line-length", Map.of("max", "many")))
                .hasMessage("stage 'max-line-length': option 'max' must be a number, got 'many'");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("threshold", 1.5)))
                .hasMessage("stage 'near-dedup': option 'threshold': threshold must be in (0, 1), got 1.5");
        assertThatThrownBy(() -> Stages.create("exact-dedup", Map.of("normalization", "tabs")))
                .hasMessageStartingWith("stage 'exact-dedup': option 'normalization': unknown normalization 'tabs'");
        assertThatThrownBy(() -> Stages.create("near-dedup", Map.of("bands", 16)))
                .hasMessage("stage 'near-dedup': give both 'bands' and 'rows', or neither");
    }
}
