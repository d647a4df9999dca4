package dev.kiln.cli;

import dev.kiln.data.pii.PiiJsonl;
import dev.kiln.data.pii.PiiRedactor;
import dev.kiln.data.pii.PiiScanner;
import dev.kiln.data.pii.PiiType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm data pii}: redacts emails, IPs, keys and passwords in a JSONL file. */
@Command(
        name = "pii",
        mixinStandardHelpOptions = true,
        description = "Redact emails, public IP addresses, secret keys and passwords in the 'content' of each"
                + " JSONL row; every field is kept and a 'pii' list of {type, start, end} is added.")
final class DataPiiCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, description = "JSONL (or .jsonl.gz) rows with a 'content' field")
    Path input;

    @Option(names = "--output", required = true, description = "where to write the redacted JSONL (.gz to compress)")
    Path output;

    @Option(
            names = "--replacement",
            defaultValue = "placeholder",
            description =
                    "placeholder (<EMAIL>, <IP_ADDRESS>, <KEY>, <PASSWORD>) or synthetic (default: ${DEFAULT-VALUE})")
    PiiRedactor.Replacement replacement;

    @Option(
            names = "--types",
            split = ",",
            description = "types to redact: email, ip_address, key, password (default: all)")
    List<String> types;

    @Override
    public Integer call() throws IOException {
        PiiScanner.Builder scanner = PiiScanner.builder();
        if (types != null && !types.isEmpty()) {
            List<PiiType> t = new ArrayList<>();
            for (String s : types) {
                t.add(PiiType.fromId(s.trim()));
            }
            scanner.optTypes(t);
        }
        PiiRedactor redactor = PiiRedactor.builder()
                .optScanner(scanner.build())
                .optReplacement(replacement)
                .build();
        PiiJsonl.Stats stats = PiiJsonl.redact(input, output, redactor);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%d rows, %d with PII, %d spans %s -> %s%n",
                stats.rows(), stats.redactedRows(), stats.spans(), stats.byType(), output);
        out.flush();
        return 0;
    }
}
