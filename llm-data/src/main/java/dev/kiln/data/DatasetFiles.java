package dev.kiln.data;

import dev.kiln.core.Provenance;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.data.sink.Sink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The files a {@link Corpus#write} leaves beside the shards, other than the report and the card. */
final class DatasetFiles {

    private DatasetFiles() {}

    /** Writes {@code duplicates.jsonl}: one row per removed document, with what it duplicates. */
    static void writeDuplicates(Path file, List<DuplicateSet.Duplicate> dups) throws IOException {
        try (AtomicFiles.Output out = AtomicFiles.open(file)) {
            OutputStream os = new BufferedOutputStream(out.stream(), 1 << 16);
            for (DuplicateSet.Duplicate d : dups) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", d.id());
                row.put("duplicate_of", d.duplicateOf());
                row.put("similarity", d.similarity());
                row.put("stage", d.stage());
                os.write((Json.toLine(row) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            os.flush();
            out.commit();
        }
    }

    /** The dataset's {@code manifest.json}: counts, shards, provenance and run figures. */
    static Manifest manifest(
            Provenance provenance, int workers, Sink sink, PipelineReport r, List<Sink.Shard> shards, double seconds) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("documents", r.keptDocuments());
        counts.put("bytes", r.keptBytes());
        counts.put("input_documents", r.inputDocuments());
        counts.put("input_bytes", r.inputBytes());
        counts.put("dropped", r.droppedTotal());
        counts.put("errors", r.errorsTotal());
        counts.put("shards", (long) shards.size());
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("format", sink.format());
        List<Map<String, Object>> sh = new ArrayList<>();
        for (Sink.Shard s : shards) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("file", s.file());
            x.put("documents", s.documents());
            x.put("bytes", s.bytes());
            sh.add(x);
        }
        props.put("shards", sh);
        props.put("row_fields", List.of("id", "content", "path", "language", "licenses", "metadata"));
        Map<String, Object> runInfo = new LinkedHashMap<>();
        runInfo.put("workers", workers);
        runInfo.put("seconds", Math.round(seconds * 1000) / 1000.0);
        runInfo.put("input_mb_per_second", seconds > 0 ? Math.round(r.inputBytes() / 1e6 / seconds * 10) / 10.0 : 0);
        props.put("run", runInfo);
        return new Manifest("dataset", 1, counts, provenance, props);
    }
}
