package dev.kiln.data;

import dev.kiln.core.Document;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pipeline run did: input documents and bytes, per stage what was kept and dropped (by
 * reason), errors (by reason, each with an example path), per-language and per-license counts of
 * the kept documents, and histograms of their size and longest line. Every input item is
 * accounted for exactly once: {@code input = kept + Σ dropped + Σ errors}.
 *
 * <pre>{@code
 * PipelineReport r = Corpus.from(Path.of("repos")).filter(Licenses.permissive()).write(Sinks.jsonl(out));
 * System.out.println(r.keptDocuments() + " of " + r.inputDocuments() + " kept; dropped " + r.dropped());
 * }</pre>
 *
 * <p>Written as {@code report.json} (top-level keys {@code input}, {@code input_bytes}, {@code
 * kept}, {@code kept_bytes}, {@code dropped} and {@code errors} as {@code {"<stage>:<reason>": n}},
 * {@code stages} (each with {@code name, in, kept, dropped, errors, notes}), {@code languages}, {@code licenses}, {@code sources}, {@code histograms}, {@code
 * examples}) and as a self-contained {@code report.html} with charts. Both depend only on the
 * input and the plan, not on the number of workers or the time taken.
 */
public final class PipelineReport {

    /**
     * Per-stage counts. {@code in = kept + Σ dropped + Σ errors}. {@code notes} counts the documents
     * the stage kept with a {@link Verdict#note() note}, by note: for {@code parsable}, {@code
     * unchecked:<language>} (no parser for the language, or too large to check) and {@code
     * rescued:<checker>} (the first parser rejected the file, {@code javac}, {@code node} or {@code
     * python3} accepted it).
     */
    public record StageReport(
            String name,
            long in,
            long kept,
            Map<String, Long> dropped,
            Map<String, Long> errors,
            Map<String, Long> notes) {}

    /** Documents and UTF-8 bytes. */
    public record Count(long documents, long bytes) {}

    /** The first item that got a reason, and what went wrong. */
    public record Example(String path, String detail) {}

    private final long inputDocuments;
    private final long inputBytes;
    private final long keptDocuments;
    private final long keptBytes;
    private final Map<String, Long> dropped;
    private final Map<String, Long> errors;
    private final List<StageReport> stages;
    private final Map<String, Count> languages;
    private final Map<String, Long> licenses;
    private final Map<String, Long> pii;
    private final Map<String, Count> sources;
    private final Map<String, Map<String, Long>> histograms;
    private final Map<String, Example> examples;

    private PipelineReport(Accumulator a) {
        inputDocuments = a.inputDocs;
        inputBytes = a.inputBytes;
        keptDocuments = a.keptDocs;
        keptBytes = a.keptBytes;
        dropped = Collections.unmodifiableMap(new TreeMap<>(a.dropped));
        errors = Collections.unmodifiableMap(new TreeMap<>(a.errors));
        List<StageReport> st = new ArrayList<>();
        st.add(a.read.build("read"));
        for (int i = 0; i < a.opNames.size(); i++) {
            st.add(a.stages.get(i).build(a.opNames.get(i)));
        }
        stages = Collections.unmodifiableList(st);
        Map<String, Count> langs = new LinkedHashMap<>();
        a.languages.entrySet().stream()
                .sorted((x, y) -> x.getValue()[0] != y.getValue()[0]
                        ? Long.compare(y.getValue()[0], x.getValue()[0])
                        : x.getKey().compareTo(y.getKey()))
                .forEach(e -> langs.put(e.getKey(), new Count(e.getValue()[0], e.getValue()[1])));
        languages = Collections.unmodifiableMap(langs);
        licenses = Collections.unmodifiableMap(sortedByCount(a.licenses));
        pii = Collections.unmodifiableMap(new TreeMap<>(a.pii));
        Map<String, Count> src = new LinkedHashMap<>();
        a.sources.forEach((k, v) -> src.put(k, new Count(v[0], v[1])));
        sources = Collections.unmodifiableMap(src);
        Map<String, Map<String, Long>> h = new LinkedHashMap<>();
        h.put("file_size_bytes", histogram(SIZE_LABELS, a.sizeHist));
        h.put("max_line_length", histogram(LINE_LABELS, a.lineHist));
        a.clusterSizes.forEach((stage, sizes) -> h.put(stage + ":cluster_size", Collections.unmodifiableMap(sizes)));
        histograms = Collections.unmodifiableMap(h);
        examples = Collections.unmodifiableMap(new TreeMap<>(a.examples));
    }

    private static Map<String, Long> sortedByCount(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted((x, y) -> !x.getValue().equals(y.getValue())
                        ? Long.compare(y.getValue(), x.getValue())
                        : x.getKey().compareTo(y.getKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static Map<String, Long> histogram(String[] labels, long[] counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            m.put(labels[i], counts[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Documents read from the sources (every file, entry or record, including unreadable ones). */
    public long inputDocuments() {
        return inputDocuments;
    }

    /** UTF-8 bytes of the documents read. */
    public long inputBytes() {
        return inputBytes;
    }

    /** Documents that passed every stage. */
    public long keptDocuments() {
        return keptDocuments;
    }

    /** UTF-8 bytes of the kept documents' content. */
    public long keptBytes() {
        return keptBytes;
    }

    /** {@code "<stage>:<reason>"} → documents dropped. */
    public Map<String, Long> dropped() {
        return dropped;
    }

    /** {@code "<stage>:<reason>"} → items that could not be read or processed. */
    public Map<String, Long> errors() {
        return errors;
    }

    /** Documents dropped, over all stages and reasons. */
    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Inputs that could not be read or processed, over all kinds. */
    public long errorsTotal() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Why nothing was kept, in one line, or empty when something was: {@code "no documents kept:
     * the inputs held no files"}, or every reason with its count, largest first ({@code "no
     * documents kept from 3 input items: dropped read:binary 2; errors read:symlink-loop 1"}).
     *
     * <pre>{@code
     * report.whyEmpty().ifPresent(why -> System.err.println(why));
     * }</pre>
     */
    public Optional<String> whyEmpty() {
        if (keptDocuments > 0) {
            return Optional.empty();
        }
        if (inputDocuments == 0) {
            return Optional.of("no documents kept: the inputs held no files or records");
        }
        StringBuilder sb = new StringBuilder("no documents kept from " + inputDocuments + " input items:");
        appendReasons(sb, "dropped", dropped);
        appendReasons(sb, "errors", errors);
        return Optional.of(sb.toString());
    }

    private static void appendReasons(StringBuilder sb, String what, Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return;
        }
        if (sb.charAt(sb.length() - 1) != ':') {
            sb.append(';');
        }
        sb.append(' ').append(what);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sb.append(' ')
                        .append(e.getKey())
                        .append(' ')
                        .append(e.getValue())
                        .append(','));
        sb.setLength(sb.length() - 1);
    }

    /** The {@code read} step, then every stage of the plan, in order. */
    public List<StageReport> stages() {
        return stages;
    }

    /** Kept documents by language, most documents first. */
    public Map<String, Count> languages() {
        return languages;
    }

    /** Kept documents by license entry ({@code unknown} when none), most first. */
    public Map<String, Long> licenses() {
        return licenses;
    }

    /**
     * Redacted spans in the kept documents by type ({@code email}, {@code ip_address}, {@code key},
     * {@code password}), from the {@code pii} metadata the {@code pii} stage records; empty when it
     * did not run.
     */
    public Map<String, Long> pii() {
        return pii;
    }

    /** Per source: input items and kept documents (in {@link Count#bytes()}: kept documents). */
    public Map<String, Count> sources() {
        return sources;
    }

    /** {@code file_size_bytes} and {@code max_line_length} of the kept documents: bucket label → count. */
    public Map<String, Map<String, Long>> histograms() {
        return histograms;
    }

    /** For each drop and error reason, the first item that got it. */
    public Map<String, Example> examples() {
        return examples;
    }

    /** The report as JSON-shaped maps (what {@code report.json} holds). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", inputDocuments);
        m.put("input_bytes", inputBytes);
        m.put("kept", keptDocuments);
        m.put("kept_bytes", keptBytes);
        m.put("dropped", dropped);
        m.put("errors", errors);
        List<Map<String, Object>> st = new ArrayList<>();
        for (StageReport s : stages) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", s.name());
            x.put("in", s.in());
            x.put("kept", s.kept());
            x.put("dropped", s.dropped());
            x.put("errors", s.errors());
            x.put("notes", s.notes());
            st.add(x);
        }
        m.put("stages", st);
        Map<String, Object> langs = new LinkedHashMap<>();
        languages.forEach((k, v) -> langs.put(k, Map.of("documents", v.documents(), "bytes", v.bytes())));
        m.put("languages", langs);
        m.put("licenses", licenses);
        m.put("pii", pii);
        Map<String, Object> src = new LinkedHashMap<>();
        sources.forEach((k, v) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("input", v.documents());
            x.put("kept", v.bytes());
            src.put(k, x);
        });
        m.put("sources", src);
        m.put("histograms", histograms);
        Map<String, Object> ex = new LinkedHashMap<>();
        examples.forEach((k, v) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("path", v.path());
            if (v.detail() != null) {
                x.put("detail", v.detail());
            }
            ex.put(k, x);
        });
        m.put("examples", ex);
        return m;
    }

    /** Writes {@code report.json} (atomically). */
    public void writeJson(Path file) throws IOException {
        Json.write(file, toMap());
    }

    /** Writes the self-contained {@code report.html} (atomically). */
    public void writeHtml(Path file, String title) throws IOException {
        AtomicFiles.writeString(file, ReportHtml.render(this, title));
    }

    @Override
    public String toString() {
        return "PipelineReport{input=" + inputDocuments + ", kept=" + keptDocuments + ", dropped=" + dropped
                + ", errors=" + errors + "}";
    }

    static final String[] SIZE_LABELS = {"<256", "256-1K", "1K-4K", "4K-16K", "16K-64K", "64K-256K", "256K-1M", ">=1M"};
    static final String[] LINE_LABELS = {
        "<40", "40-79", "80-119", "120-199", "200-399", "400-999", "1000-9999", ">=10000"
    };

    private static int sizeBucket(long b) {
        long limit = 256;
        for (int i = 0; i < SIZE_LABELS.length - 1; i++, limit *= 4) {
            if (b < limit) {
                return i;
            }
        }
        return SIZE_LABELS.length - 1;
    }

    private static final int[] LINE_LIMITS = {40, 80, 120, 200, 400, 1000, 10000};

    private static int lineBucket(int n) {
        for (int i = 0; i < LINE_LIMITS.length; i++) {
            if (n < LINE_LIMITS[i]) {
                return i;
            }
        }
        return LINE_LIMITS.length;
    }

    /** Builds a report from outcomes, in order, on one thread. */
    static final class Accumulator {
        private static final Logger LOG = LoggerFactory.getLogger(Corpus.class);

        final List<String> opNames;
        final List<StageAcc> stages = new ArrayList<>();
        final StageAcc read = new StageAcc();
        long inputDocs;
        long inputBytes;
        long keptDocs;
        long keptBytes;
        final Map<String, Long> dropped = new TreeMap<>();
        final Map<String, Long> errors = new TreeMap<>();
        final Map<String, long[]> languages = new TreeMap<>();
        final Map<String, Long> licenses = new TreeMap<>();
        final Map<String, Long> pii = new TreeMap<>();
        final Map<String, long[]> sources = new LinkedHashMap<>();
        final long[] sizeHist = new long[SIZE_LABELS.length];
        final long[] lineHist = new long[LINE_LABELS.length];
        final Map<String, Example> examples = new TreeMap<>();
        /** Dedup stage → cluster size → clusters, reported as histogram {@code <stage>:cluster_size}. */
        final Map<String, Map<String, Long>> clusterSizes = new LinkedHashMap<>();

        Accumulator(List<String> opNames, List<String> sourceNames) {
            this.opNames = List.copyOf(opNames);
            for (int i = 0; i < opNames.size(); i++) {
                stages.add(new StageAcc());
            }
            for (String s : sourceNames) {
                sources.put(s, new long[2]);
            }
        }

        void record(Outcome o, List<Op> segment, boolean finalPass) {
            if (o.countsAsInput) {
                inputDocs++;
                inputBytes += o.inputBytes;
                sources.computeIfAbsent(o.source, k -> new long[2])[0]++;
                read.add(o, -1);
            }
            for (Op op : segment) {
                int j = op.index;
                if (!o.reached(j)) {
                    break;
                }
                stages.get(j).add(o, j);
            }
            if (o.kind == Outcome.Kind.DROPPED) {
                dropped.merge(o.key, 1L, Long::sum);
                example(o, o.at < 0);
            } else if (o.kind == Outcome.Kind.ERROR) {
                errors.merge(o.key, 1L, Long::sum);
                example(o, true);
            } else if (finalPass) {
                keptDocs++;
                keptBytes += o.docBytes;
                long[] l = languages.computeIfAbsent(o.language, k -> new long[2]);
                l[0]++;
                l[1] += o.docBytes;
                if (o.doc.licenses().isEmpty()) {
                    licenses.merge("unknown", 1L, Long::sum);
                } else {
                    for (String lic : o.doc.licenses()) {
                        licenses.merge(lic, 1L, Long::sum);
                    }
                }
                Object src = o.doc.metadata().get(Document.SOURCE.name());
                long[] s = sources.get(src == null ? o.source : src.toString());
                if (s != null) {
                    s[1]++;
                }
                if (o.doc.metadata().get("pii") instanceof List<?> spans) {
                    for (Object span : spans) {
                        if (span instanceof Map<?, ?> m && m.get("type") != null) {
                            pii.merge(String.valueOf(m.get("type")), 1L, Long::sum);
                        }
                    }
                }
                sizeHist[sizeBucket(o.docBytes)]++;
                lineHist[lineBucket(o.maxLine)]++;
            }
        }

        private void example(Outcome o, boolean warn) {
            if (!examples.containsKey(o.key)) {
                String where = o.source.equals(o.path) || o.path.isEmpty() ? o.source : o.source + " → " + o.path;
                examples.put(o.key, new Example(where, o.detail));
                if (warn) {
                    LOG.warn(
                            "{} {}: e.g. {}{} (every such item is counted in report.json)",
                            o.kind == Outcome.Kind.ERROR ? "error" : "dropped",
                            o.key,
                            where,
                            o.detail == null ? "" : " -- " + o.detail);
                }
            }
        }

        PipelineReport build() {
            return new PipelineReport(this);
        }
    }

    static final class StageAcc {
        long in;
        long kept;
        final Map<String, Long> dropped = new TreeMap<>();
        final Map<String, Long> errors = new TreeMap<>();
        final Map<String, Long> notes = new TreeMap<>();

        void add(Outcome o, int index) {
            in++;
            if (o.passed(index)) {
                kept++;
                String note = o.notes == null ? null : o.notes.get(index);
                if (note != null) {
                    notes.merge(note, 1L, Long::sum);
                }
            } else if (o.kind == Outcome.Kind.ERROR) {
                errors.merge(reason(o.key), 1L, Long::sum);
            } else {
                dropped.merge(reason(o.key), 1L, Long::sum);
            }
        }

        private static String reason(String key) {
            int c = key.indexOf(':');
            return c < 0 ? key : key.substring(c + 1);
        }

        StageReport build(String name) {
            return new StageReport(
                    name,
                    in,
                    kept,
                    Collections.unmodifiableMap(new TreeMap<>(dropped)),
                    Collections.unmodifiableMap(new TreeMap<>(errors)),
                    Collections.unmodifiableMap(new TreeMap<>(notes)));
        }
    }
}
