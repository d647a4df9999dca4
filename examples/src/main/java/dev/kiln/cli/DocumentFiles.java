package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.Language;
import dev.kiln.core.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The minimal document reader of {@code llm tokenize} until llm-data's {@code Corpus} lands: JSONL
 * files (one object per line with {@code content}, optional {@code id, path, language,
 * repository}) and directories of source files (language detected from the path). Documents are
 * read lazily, one file (or line) at a time.
 */
final class DocumentFiles {
    private DocumentFiles() {}

    /** A lazy, single-pass view of the documents of {@code inputs}; missing inputs fail here. */
    static Iterable<Document> read(List<Path> inputs) throws IOException {
        List<Path[]> sources = new ArrayList<>(); // {root or null, file}
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                        sources.add(new Path[] {in, f});
                    }
                }
            } else if (Files.isRegularFile(in)) {
                sources.add(new Path[] {null, in});
            } else {
                throw new NoSuchFileException(in.toString(), null, "input does not exist");
            }
        }
        return () -> new Iterator<>() {
            private int next;
            private BufferedReader jsonl;
            private Path jsonlFile;
            private int line;
            private Document pending;

            @Override
            public boolean hasNext() {
                try {
                    while (pending == null) {
                        if (jsonl != null) {
                            String l = jsonl.readLine();
                            if (l == null) {
                                jsonl.close();
                                jsonl = null;
                                continue;
                            }
                            line++;
                            if (!l.isBlank()) {
                                pending = parse(jsonlFile, line, l);
                            }
                            continue;
                        }
                        if (next >= sources.size()) {
                            return false;
                        }
                        Path[] s = sources.get(next++);
                        if (s[0] == null) {
                            jsonlFile = s[1];
                            jsonl = Files.newBufferedReader(s[1], StandardCharsets.UTF_8);
                            line = 0;
                        } else {
                            String rel = s[0].relativize(s[1]).toString().replace('\\', '/');
                            String content = new String(Files.readAllBytes(s[1]), StandardCharsets.UTF_8);
                            pending = Document.fromSource(s[0].toString(), rel, content)
                                    .withLanguage(Language.detect(rel, content).id());
                        }
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Document d = pending;
                pending = null;
                return d;
            }
        };
    }

    private static Document parse(Path f, int n, String line) {
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
        return d;
    }
}
