package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.Language;
import dev.kiln.core.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The minimal document reader of {@code llm tokenize} until llm-data's {@code Corpus} lands: JSONL
 * files (one object per line with {@code content}, optional {@code id, path, language,
 * repository}) and directories of source files (language detected from the path).
 */
final class DocumentFiles {
    private DocumentFiles() {}

    static List<Document> read(List<Path> inputs) throws IOException {
        List<Document> docs = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(in)) {
                    files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
                }
                for (Path f : files) {
                    String rel = in.relativize(f).toString().replace('\\', '/');
                    String content = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                    docs.add(Document.fromSource(in.toString(), rel, content)
                            .withLanguage(Language.detect(rel, content).id()));
                }
            } else if (Files.isRegularFile(in)) {
                readJsonl(in, docs);
            } else {
                throw new NoSuchFileException(in.toString(), null, "input does not exist");
            }
        }
        return docs;
    }

    private static void readJsonl(Path f, List<Document> docs) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o;
                try {
                    o = Json.mapper().readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(f + ":" + n + ": not a JSON object (" + e.getMessage() + ")");
                }
                if (o == null || !o.path("content").isTextual()) {
                    throw new IllegalArgumentException(f + ":" + n + ": a JSONL document needs a text 'content' field");
                }
                String path = o.path("path").asText("");
                String content = o.get("content").asText();
                Document d = o.hasNonNull("id")
                        ? Document.of(o.get("id").asText(), content).withPath(path)
                        : Document.fromSource(f.toString() + "#" + n, path, content);
                String lang = o.hasNonNull("language")
                        ? o.get("language").asText()
                        : Language.detect(path, content).id();
                d = d.withLanguage(lang);
                if (o.hasNonNull("repository")) {
                    d = d.with(Document.REPOSITORY, o.get("repository").asText());
                }
                docs.add(d);
            }
        }
    }
}
