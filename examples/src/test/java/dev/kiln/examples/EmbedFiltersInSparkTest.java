package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedFiltersInSparkTest {

    @Test
    void kilnStagesRunInsideSparkMapPartitions(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.writeString(
                in.resolve("Mit.java"),
                "// SPDX-License-Identifier: MIT\n// contact: jane.doe@example.com\n"
                        + "public class Mit {\n    int answer() {\n        return 42;\n    }\n}\n");
        Files.writeString(
                in.resolve("Gpl.java"),
                "// SPDX-License-Identifier: GPL-3.0-only\npublic class Gpl {\n    int x() {\n        return 1;\n    }\n}\n");
        Files.writeString(
                in.resolve("Wide.java"),
                "// SPDX-License-Identifier: Apache-2.0\nclass Wide { String s = \"" + "x".repeat(2000) + "\"; }\n");
        Path out = tmp.resolve("out");

        String stdout = ExamplesTest.run(EmbedFiltersInSpark.class, in.toString(), out.toString());

        assertThat(stdout).contains("kept 1 of 3 files");
        String json;
        try (Stream<Path> s = Files.list(out)) {
            StringBuilder sb = new StringBuilder();
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .collect(Collectors.toList())) {
                sb.append(Files.readString(p));
            }
            json = sb.toString();
        }
        assertThat(json).contains("Mit.java").doesNotContain("Gpl.java").doesNotContain("Wide.java");
        assertThat(json).doesNotContain("jane.doe@example.com"); // redacted by the pii stage
    }
}
