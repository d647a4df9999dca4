package dev.kiln.data.license;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.Document;
import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.Corpus;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** License entries as SPDX expressions: alternatives are OR, a header notice adds to the repository's license (AND). */
class LicenseSemanticsTest {

    @TempDir
    Path tmp;

    @Test
    void pomLicensesAreAlternatives() {
        String pom = "<project><licenses>"
                + "<license><name>GNU General Public License, version 2</name></license>"
                + "<license><name>The MIT License</name><url>https://opensource.org/licenses/MIT</url></license>"
                + "</licenses></project>";
        List<String> lic = PackageLicenses.fromFile("pom.xml", pom);
        assertThat(lic).containsExactly("GPL-2.0 OR MIT");
        assertThat(Licenses.allowed(lic.get(0), Licenses.PERMISSIVE))
                .as("MIT is one of the choices")
                .isTrue();
        assertThat(Licenses.anyOf(List.of("MIT", "Apache-2.0 AND BSD-3-Clause")))
                .isEqualTo("MIT OR (Apache-2.0 AND BSD-3-Clause)");
    }

    @Test
    void aHeaderNoticeCombinesWithTheRepositoryLicenseAnSpdxLineReplacesIt() throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("package.json"), "{\"name\":\"gpl-app\",\"license\":\"GPL-3.0-only\"}");
        Files.writeString(
                repo.resolve("snippet.js"),
                "/* The sort below is taken from tinysort, released under the MIT license. */\nexport const a = 1;\n");
        Files.writeString(repo.resolve("own.js"), "// SPDX-License-Identifier: MIT\nexport const b = 2;\n");
        Files.writeString(repo.resolve("plain.js"), "export const c = 3;\n");
        Map<String, List<String>> licenses;
        try (Stream<Document> s = Corpus.from(repo).map(Licenses.detect()).optProgress(ProgressSink.none()).stream()) {
            licenses = s.collect(Collectors.toMap(Document::path, Document::licenses));
        }
        assertThat(licenses.get("snippet.js"))
                .as("GPL repository AND MIT snippet")
                .containsExactly("GPL-3.0", "MIT");
        assertThat(licenses.get("own.js")).as("the file's own SPDX line").containsExactly("MIT");
        assertThat(licenses.get("plain.js")).containsExactly("GPL-3.0");

        PipelineReport r = Corpus.from(repo)
                .filter(Licenses.permissive())
                .optProgress(ProgressSink.none())
                .write(Sinks.jsonl(tmp.resolve("out")));
        assertThat(r.keptDocuments()).as("only own.js (MIT by its SPDX line)").isEqualTo(1);
        assertThat(r.dropped()).containsEntry("license:not-allowed", 3L); // snippet.js, plain.js, package.json
    }

    @Test
    void publicDomainIsNotAnSpdxLicense() {
        assertThat(Licenses.normalize("Public Domain")).hasValue(Licenses.PUBLIC_DOMAIN);
        assertThat(Licenses.normalize("Public Domain")).isNotEqualTo(Licenses.normalize("Unlicense"));
        assertThat(Licenses.normalize("LicenseRef-acme-internal")).hasValue("LicenseRef-acme-internal");
        assertThat(Licenses.allowed(Licenses.PUBLIC_DOMAIN, Licenses.PERMISSIVE))
                .isFalse();
        LicenseFilter f = LicenseFilter.builder()
                .optAllow(List.of("MIT", "Public Domain"))
                .build();
        assertThat(f.allow()).contains(Licenses.PUBLIC_DOMAIN);
    }
}
