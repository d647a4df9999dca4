package dev.kiln.data;

import java.util.Map;

/**
 * Creates a {@link Stage} by name from recipe options; registered in {@code
 * META-INF/services/dev.kiln.data.StageProvider} so recipes and {@code llm data run --stages} can
 * name it.
 *
 * <pre>{@code
 * # recipe.yaml
 * stages:
 *   - license
 *   - max-line-length: {max: 1000}
 * }</pre>
 */
public interface StageProvider {

    /** The stage name, as used in recipes. */
    String name();

    /** One line for {@code --help} and the recipe reference. */
    String description();

    /**
     * Builds the stage.
     *
     * @param options recipe options (may be empty); an unknown key or a bad value is an {@link
     *     IllegalArgumentException} naming the stage, the key and the valid keys
     */
    Stage create(Map<String, Object> options);
}
