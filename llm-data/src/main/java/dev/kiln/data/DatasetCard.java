package dev.kiln.data;

import dev.kiln.core.KilnVersion;
import dev.kiln.core.Language;
import dev.kiln.data.sink.Sink;
import dev.kiln.data.source.Source;
import java.util.List;
import java.util.Map;

/** The dataset card ({@code README.md}) of a dataset directory. */
final class DatasetCard {

    private DatasetCard() {}

    static String render(Corpus c, Sink sink, PipelineReport r, List<Sink.Shard> shards) {
        StringBuilder m = new StringBuilder();
        String name = sink.directory().toAbsolutePath().getFileName().toString();
        m.append("---\n");
        List<String> lics = List.copyOf(r.licenses().keySet());
        boolean single = lics.size() == 1
                && !lics.get(0).equals("unknown")
                && lics.get(0).matches("[A-Za-z0-9.-]+");
        m.append("license: ")
                .append(single ? lics.get(0).toLowerCase(java.util.Locale.ROOT) : "other")
                .append('\n');
        m.append("pretty_name: ").append(name).append('\n');
        m.append("task_categories:\n  - text-generation\n");
        m.append("tags:\n  - code\n  - kiln\n");
        m.append("---\n\n");
        m.append("# ").append(name).append("\n\n");
        m.append("A code dataset made with Kiln ")
                .append(KilnVersion.get())
                .append(": ")
                .append(ReportHtml.num(r.keptDocuments()))
                .append(" documents (")
                .append(ReportHtml.bytes(r.keptBytes()))
                .append(") kept of ")
                .append(ReportHtml.num(r.inputDocuments()))
                .append(" read (")
                .append(ReportHtml.num(r.droppedTotal()))
                .append(" dropped, ")
                .append(ReportHtml.num(r.errorsTotal()))
                .append(" unreadable).\n\n");

        m.append("## Sources\n\n| source | items read | documents kept |\n| --- | ---: | ---: |\n");
        for (Source s : c.sources()) {
            PipelineReport.Count n = r.sources().get(s.name());
            m.append("| `")
                    .append(s.name())
                    .append("` | ")
                    .append(n == null ? 0 : n.documents())
                    .append(" | ")
                    .append(n == null ? 0 : n.bytes())
                    .append(" |\n");
        }

        m.append("\n## Licenses\n\nLicenses of the kept documents (SPDX ids or expressions; from file headers, ")
                .append("package metadata or LICENSE files). Check that they allow your use before publishing.\n\n")
                .append("| license | documents |\n| --- | ---: |\n");
        r.licenses()
                .forEach((k, v) ->
                        m.append("| ").append(k).append(" | ").append(v).append(" |\n"));

        m.append("\n## Languages\n\n| language | documents | bytes |\n| --- | ---: | ---: |\n");
        r.languages()
                .forEach((k, v) -> m.append("| ")
                        .append(Language.find(k).map(Language::displayName).orElse(k))
                        .append(" | ")
                        .append(v.documents())
                        .append(" | ")
                        .append(ReportHtml.bytes(v.bytes()))
                        .append(" |\n"));

        m.append("\n## Processing\n\n");
        if (c.recipeName() != null) {
            m.append("Recipe: `").append(c.recipeName()).append("`.\n\n");
        }
        m.append(
                "| step | in | kept | dropped | errors | kept with a note |\n| --- | ---: | ---: | --- | --- | --- |\n");
        for (PipelineReport.StageReport s : r.stages()) {
            m.append("| `")
                    .append(s.name())
                    .append("` | ")
                    .append(s.in())
                    .append(" | ")
                    .append(s.kept())
                    .append(" | ")
                    .append(inline(s.dropped()))
                    .append(" | ")
                    .append(inline(s.errors()))
                    .append(" | ")
                    .append(inline(s.notes()))
                    .append(" |\n");
        }
        m.append("\nFiles over the size limit, binary files (NUL bytes or binary extensions) and files that are ")
                .append("not valid UTF-8 are dropped when read. See `report.html` for charts and `report.json` for ")
                .append("every count.\n");

        boolean parquet = sink.format().equals("parquet");
        m.append("\n## Format\n\n")
                .append(shards.size())
                .append(" shard(s) `part-NNNNN.")
                .append(sink.format())
                .append(
                        parquet
                                ? "`, Parquet with the string columns `id`, `content`, `path`, `language`, a list of "
                                        + "strings `licenses` and `metadata` (a JSON object as a string). "
                                : "`, one JSON object a line with the fields `id`, `content`, `path`, `language`, "
                                        + "`licenses`, `metadata`. ")
                .append("`manifest.json` lists the shards and how the dataset was made.\n\n")
                .append("```python\nfrom datasets import load_dataset\nds = load_dataset(\"")
                .append(parquet ? "parquet" : "json")
                .append("\", data_files=\"")
                .append(name)
                .append("/part-*.")
                .append(sink.format())
                .append("\")\n```\n");
        return m.toString();
    }

    private static String inline(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }
}
