package dev.kiln.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named list of stages, usually from YAML:
 *
 * <pre>{@code
 * # recipe.yaml
 * name: permissive-java
 * stages:
 *   - license
 *   - optout: {list: optout.txt}
 *   - max-line-length: {max: 1000}
 * }</pre>
 *
 * <pre>{@code
 * Recipe r = Recipe.load(Path.of("recipe.yaml"));
 * Corpus.from(Path.of("repos")).recipe(r).write(Sinks.jsonl(Path.of("out")));
 * }</pre>
 *
 * <p>Stage names are resolved through {@link Stages} (the {@link StageProvider}s on the class
 * path) when {@link #stages()} is called; an unknown name is an error that lists the known ones.
 */
public final class Recipe {

    private static final Logger LOG = LoggerFactory.getLogger(Recipe.class);

    /** The classpath resource of the default recipe. */
    public static final String DEFAULT_RESOURCE = "/dev/kiln/data/recipes/default.yaml";

    /** One entry of a recipe: a stage name and its options. */
    public record Step(String name, Map<String, Object> options) {
        /** @throws IllegalArgumentException when the stage name is blank */
        public Step {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a recipe step needs a stage name, got '" + name + "'");
            }
            options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }
    }

    private final String name;
    private final List<Step> steps;

    private Recipe(String name, List<Step> steps) {
        this.name = name;
        this.steps = List.copyOf(steps);
    }

    /** A recipe of stage names with default options, in order (what {@code --stages a,b} gives). */
    public static Recipe ofStages(String name, List<String> stageNames) {
        List<Step> s = new ArrayList<>();
        for (String n : stageNames) {
            s.add(new Step(n.strip(), Map.of()));
        }
        return new Recipe(name, s);
    }

    /** Reads a YAML recipe file. */
    public static Recipe load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "recipe file not found");
        }
        String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return parse(Files.readString(file, StandardCharsets.UTF_8), name, file.toString());
    }

    /** Kiln's default recipe (a resource of this module). */
    public static Recipe defaultRecipe() {
        try (InputStream in = Recipe.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default recipe " + DEFAULT_RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default", DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the default recipe: " + e.getMessage(), e);
        }
    }

    /**
     * Parses recipe YAML: a map with a {@code stages} list whose entries are a stage name or a
     * one-key map {@code {name: {options}}}; {@code name} and {@code description} are optional.
     *
     * @param origin the file or resource, for messages
     */
    @SuppressWarnings("unchecked")
    public static Recipe parse(String yaml, String defaultName, String origin) {
        JsonNode root;
        try {
            root = Json.yaml().readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("recipe " + origin + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null
                || !root.isObject()
                || !root.has("stages")
                || !root.get("stages").isArray()) {
            throw new IllegalArgumentException("recipe " + origin
                    + " needs a 'stages:' list, e.g.\nstages:\n  - license\n  - optout: {list: optout.txt}");
        }
        String name = root.path("name").asText(defaultName);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("stages") && !k.equals("name") && !k.equals("description")) {
                LOG.warn("recipe {}: ignoring unknown key '{}' (known: name, description, stages)", origin, k);
            }
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.get("stages")) {
            i++;
            if (s.isTextual()) {
                steps.add(new Step(s.asText(), Map.of()));
            } else if (s.isObject() && s.size() == 1) {
                Map.Entry<String, JsonNode> e = s.fields().next();
                JsonNode opts = e.getValue();
                if (opts != null && !opts.isNull() && !opts.isObject()) {
                    throw new IllegalArgumentException("recipe " + origin + ", stage " + i + " (" + e.getKey()
                            + "): options must be a map, got " + opts);
                }
                Map<String, Object> o = opts == null || opts.isNull()
                        ? Map.of()
                        : Json.mapper().convertValue(opts, LinkedHashMap.class);
                steps.add(new Step(e.getKey(), o));
            } else {
                throw new IllegalArgumentException(
                        "recipe " + origin + ", stage " + i + ": expected a stage name or {name: {options}}, got " + s);
            }
        }
        return new Recipe(name, steps);
    }

    /** The recipe's name (from the file, or the resource it was loaded from). */
    public String name() {
        return name;
    }

    /** The steps, in the order they run. */
    public List<Step> steps() {
        return steps;
    }

    /** The stage names, in order. */
    public List<String> stageNames() {
        List<String> out = new ArrayList<>();
        for (Step s : steps) {
            out.add(s.name());
        }
        return out;
    }

    /** Creates the stages through {@link Stages}. */
    public List<Stage> stages() {
        List<Stage> out = new ArrayList<>();
        for (Step s : steps) {
            out.add(Stages.create(s.name(), s.options()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "recipe " + name + " " + stageNames();
    }
}
