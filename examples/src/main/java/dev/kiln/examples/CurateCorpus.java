package dev.kiln.examples;

import dev.kiln.data.Corpus;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.Recipe;
import dev.kiln.data.dedup.NearDedup;
import dev.kiln.data.license.Licenses;
import dev.kiln.data.sink.Sinks;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Curates a code corpus with the fluent data API: keep permissively licensed files, run the default
 * recipe (quality filters, parsability, decontamination, PII redaction), remove near duplicates and
 * write JSONL shards with a manifest and an HTML report.
 *
 * <pre>
 * java -cp 'examples/target/kiln-cli.jar:examples/target/lib/*' dev.kiln.examples.CurateCorpus \
 *     OUTPUT_DIR INPUT...   # directories, archives, Maven -sources.jar, JSONL
 * </pre>
 */
public final class CurateCorpus {

    private CurateCorpus() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CurateCorpus OUTPUT_DIR INPUT...");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        Path[] inputs = Arrays.stream(args, 1, args.length).map(Path::of).toArray(Path[]::new);

        PipelineReport report = Corpus.from(inputs)
                .filter(Licenses.permissive()) // MIT, Apache-2.0, BSD, ... from headers and package metadata
                .recipe(Recipe.defaultRecipe()) // size, line length, generated, minified, parsable, decontaminate, pii
                .dedupe(NearDedup.builder().optThreshold(0.7).build()) // MinHash LSH over the whole corpus
                .write(Sinks.jsonl(output));

        System.out.printf(
                "kept %,d of %,d documents; dropped %s%nreport: %s%n",
                report.keptDocuments(), report.inputDocuments(), report.dropped(), output.resolve("report.html"));
    }
}
