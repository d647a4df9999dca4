package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.Generation;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.model.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's opening example, compiled and run so it stays true. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() {
        String javaSources = "public static int add(int a, int b) {\n    return a + b;\n}\n";
        // --- README example ---
        Tokenizer tok = ByteTokenizer.withCodeSpecials(); // <|endoftext|>, FIM tokens
        LanguageModel model = NgramLanguageModel.train(tok, List.of(javaSources), 8, 2048);
        Generation g = model.generate(GenerationRequest.builder()
                        .setPrompt("public static int add(int a, int b) {")
                        .optMaxTokens(32)
                        .optStop(List.of("\n}"))
                        .build())
                .collect();
        System.out.println(g.text() + " [" + g.finishReason() + "]");
        // --- end ---
        assertThat(g.text()).isEqualTo("\n    return a + b;");
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
    }
}
