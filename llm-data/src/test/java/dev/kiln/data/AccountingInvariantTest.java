package dev.kiln.data;

import static dev.kiln.data.CorpusTest.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.progress.ProgressSink;
import dev.kiln.data.sink.Sinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random plans over a corpus with every kind of item (text, binary, empty, invalid UTF-8, too
 * large, JSONL with bad lines, a corrupt archive): the accounting invariant holds and the report
 * and the output do not depend on the number of workers.
 */
class AccountingInvariantTest {

    @TempDir
    Path tmp;

    @Test
    void randomPlansKeepTheInvariantAndAreDeterministic() throws IOException {
        Random rnd = new Random(20261127);
        Path in = tmp.resolve("in");
        for (int i = 0; i < 400; i++) {
            Path f = in.resolve("d" + (i % 7)).resolve("f" + i + (i % 3 == 0 ? ".py" : ".java"));
            switch (i % 11) {
                case 0:
                    Fixtures.write(f, new byte[] {1, 0, 2});
                    break;
                case 1:
                    Fixtures.write(f, "");
                    break;
                case 2:
                    Fixtures.write(f, new byte[] {'a', (byte) 0xC3});
                    break;
                default:
                    Fixtures.write(f, ("line " + i + "\n").repeat(1 + rnd.nextInt(50)));
            }
        }
        Fixtures.write(in.resolve("big.txt"), "y".repeat(5000));
        Fixtures.write(in.resolve("rows.jsonl"), "{\"content\":\"a\"}\n{bad\n{\"content\":\"b\",\"path\":\"b.py\"}\n");
        Fixtures.write(in.resolve("broken.zip"), "PK\u0003\u0004garbage");
        Fixtures.write(in.resolve("LICENSE"), Fixtures.MIT);

        for (int plan = 0; plan < 8; plan++) {
            Corpus c = Corpus.from(in)
                    .optReadOptions(dev.kiln.data.source.ReadOptions.builder()
                            .optMaxFileBytes(4096)
                            .build())
                    .optProgress(ProgressSink.none());
            int steps = 1 + rnd.nextInt(4);
            StringBuilder desc = new StringBuilder();
            for (int s = 0; s < steps; s++) {
                int kind = rnd.nextInt(5);
                int mod = 2 + rnd.nextInt(5);
                String name = "f" + s;
                switch (kind) {
                    case 0:
                        c = c.filter(DocumentFilter.of(
                                name, d -> d.content().length() % mod == 0 ? Verdict.drop("mod" + mod) : Verdict.KEEP));
                        break;
                    case 1:
                        c = c.map(DocumentTransform.of(name, d -> d.withContent(d.content() + "#")));
                        break;
                    case 2:
                        c = c.sample(0.3 + rnd.nextDouble() * 0.7, rnd.nextLong());
                        break;
                    case 3:
                        c = c.limit(20 + rnd.nextInt(300));
                        break;
                    default:
                        c = c.filter(DocumentFilter.of(name, d -> {
                            if (d.content().hashCode() % (mod * 7) == 0) {
                                throw new IllegalStateException("unlucky");
                            }
                            return Verdict.KEEP;
                        }));
                }
                desc.append(kind).append(' ');
            }
            Path out1 = tmp.resolve("p" + plan + "/w1/out");
            Path out2 = tmp.resolve("p" + plan + "/w2/out");
            PipelineReport r1 = c.optWorkers(1).write(Sinks.jsonl(out1).optShardBytes(2000));
            PipelineReport r2 = c.optWorkers(2).write(Sinks.jsonl(out2).optShardBytes(2000));
            assertInvariant(r1);
            assertThat(r2.toMap()).as("plan %s", desc).isEqualTo(r1.toMap());
            assertThat(Fixtures.rows(out2)).as("plan %s", desc).isEqualTo(Fixtures.rows(out1));
            assertThat(Files.readString(out2.resolve("report.json")))
                    .isEqualTo(Files.readString(out1.resolve("report.json")));
            assertThat(r1.errors()).containsKey("read:corrupt-archive");
        }
    }
}
