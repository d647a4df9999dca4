package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.serve.RealModelServingTest.Collect;
import dev.kiln.serve.engine.SequenceRequest;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import dev.kiln.train.generate.GptLanguageModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --instances 2} on a real checkpoint: two replicas loaded from the model directory, each
 * with its own weights, KV cache and scheduler thread, both decoding at once, and every greedy
 * output the same as with one instance.
 */
class ReplicasTest {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();

    /** Greedy outputs of 8 concurrent requests; {@code stats}: peak busy replicas, then each replica's cached blocks. */
    static List<List<Integer>> serve(Path dir, int instances, List<LanguageModel> loaded, List<Integer> stats)
            throws Exception {
        try (Server server = Server.builder()
                .setModelLoader(() -> {
                    LanguageModel m = LanguageModels.open(dir.toString(), Map.of());
                    loaded.add(m);
                    return m;
                })
                .optInstances(instances)
                .optPort(0)
                .build()
                .start()) {
            server.awaitReady(Duration.ofSeconds(60));
            List<Collect> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Collect c = new Collect();
                String prompt = "class C" + i + " { int f(int x) { return x";
                server.engine()
                        .submit(
                                new SequenceRequest(TOK.encode(prompt), SamplingParams.GREEDY, 40, List.of(), false),
                                c);
                all.add(c);
            }
            int peakBusy = 0;
            while (!all.stream().allMatch(c -> c.done.isDone())) {
                int[] loads = server.engine().loads();
                int busy = 0;
                for (int l : loads) {
                    busy += l > 0 ? 1 : 0;
                }
                peakBusy = Math.max(peakBusy, busy);
                Thread.sleep(1);
            }
            List<List<Integer>> out = new ArrayList<>();
            for (Collect c : all) {
                assertThat(c.done.get(60, TimeUnit.SECONDS)).isEqualTo(FinishReason.LENGTH);
                out.add(c.ids);
            }
            stats.add(peakBusy);
            for (LanguageModel m : loaded) {
                stats.add(m.kvCache().orElseThrow().cachedBlocks());
            }
            return out;
        }
    }

    @Test
    void twoReplicasDecodeTogetherAndAgreeWithOne(@TempDir Path dir) throws Exception {
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(256)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(2)
                .optLayers(2)
                .build();
        try (GptModel gpt = GptModel.create(cfg, 23, Device.cpu())) {
            ModelDir.write(dir, gpt, TOK);
        }
        List<LanguageModel> one = new CopyOnWriteArrayList<>();
        List<List<Integer>> single = serve(dir, 1, one, new ArrayList<>());

        List<LanguageModel> two = new CopyOnWriteArrayList<>();
        List<Integer> stats = new ArrayList<>();
        List<List<Integer>> replicated = serve(dir, 2, two, stats);

        assertThat(single).hasSize(8).allSatisfy(ids -> assertThat(ids).hasSize(40));
        assertThat(replicated).isEqualTo(single);
        assertThat(two).hasSize(2);
        assertThat(((GptLanguageModel) two.get(0)).model())
                .as("separate weights")
                .isNotSameAs(((GptLanguageModel) two.get(1)).model());
        assertThat(stats.get(0))
                .as("both replicas held sequences at the same time")
                .isEqualTo(2);
        // Each replica decoded some of the 8 sequences: its KV cache kept their blocks for reuse.
        assertThat(stats.subList(1, 3)).allSatisfy(blocks -> assertThat(blocks).isPositive());
    }
}
