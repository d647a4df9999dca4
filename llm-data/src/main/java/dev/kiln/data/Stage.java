package dev.kiln.data;

import java.io.Serializable;

/**
 * A named, immutable, serializable step of a data pipeline. The name shows up in reports
 * ({@code "<stage>:<reason>"} drop counts) and is how YAML recipes and {@code llm data run
 * --stages} refer to it (see {@link StageProvider}).
 *
 * <p>Stages hold configuration only, no mutable state, so a Spark or Flink job can ship one to
 * every partition and call it from many threads.
 */
public interface Stage extends Serializable {

    /** Short, kebab-case, e.g. {@code max-line-length}. */
    String name();
}
