// Kiln in JShell (or a notebook with the IJava kernel): curate real code, train a tokenizer, encode.
// Run from the repository root after ./llm (or ./mvnw -pl examples -am package -DskipTests) built the jar:
//   jshell --class-path examples/target/kiln-cli.jar examples/jshell/quickstart.jsh
// (kiln-cli.jar's manifest puts examples/target/lib/* on the class path.)

import dev.kiln.data.*;
import dev.kiln.data.sink.Sinks;
import dev.kiln.data.license.Licenses;
import dev.kiln.tokenize.*;
import java.nio.file.*;

// 1. Curate: a real Maven sources jar (its POM says MIT), the default recipe, JSONL + report.html.
Path corpus = dev.kiln.examples.Quickstart.corpusDir();
Path jar = Files.walk(corpus).filter(p -> p.toString().endsWith("-sources.jar") && p.toString().contains("slf4j-api")).findFirst().orElseThrow();
Path out = Files.createTempDirectory("kiln-jshell");
PipelineReport report = Corpus.from(jar).filter(Licenses.permissive()).recipe(Recipe.defaultRecipe()).write(Sinks.jsonl(out.resolve("data")));
System.out.printf("curated: kept %d of %d documents, report %s%n", report.keptDocuments(), report.inputDocuments(), out.resolve("data/report.html"));

// 2. A byte-level BPE tokenizer trained on the curated documents.
Corpus curated = Corpus.from(Files.list(out.resolve("data")).filter(p -> p.getFileName().toString().startsWith("part-")).toArray(Path[]::new));
BpeTokenizer tok = BpeTrainer.builder().setVocabSize(1024).build().train(() -> curated.stream().map(d -> d.content()).iterator());
tok.save(out.resolve("tokenizer.json"));

// 3. Encode and decode a line of Java.
String line = "LoggerFactory.getLogger(MyService.class).info(\"started\");";
int[] ids = tok.encode(line);
System.out.printf("tokenizer: %d ids; %d chars -> %d tokens; round trip %s%n", tok.vocabSize(), line.length(), ids.length, tok.decode(ids).equals(line) ? "ok" : "FAILED");
/exit
