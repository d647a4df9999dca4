package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordered set of problems of one language, looked up by task id.
 *
 * <pre>{@code
 * ProblemSet set = HumanEval.java();
 * System.out.println(set.size() + " problems in " + set.language().id());
 * }</pre>
 */
public final class ProblemSet {

    private final String name;
    private final EvalLanguage language;
    private final List<Problem> problems;
    private final Map<String, Problem> byId;

    /**
     * @throws IllegalArgumentException when ids repeat, languages are mixed, or the list is empty
     */
    public ProblemSet(String name, List<Problem> problems) {
        requireArgument(problems != null && !problems.isEmpty(), "problem set '%s' is empty", name);
        this.name = name;
        this.language = problems.get(0).language();
        this.problems = List.copyOf(problems);
        Map<String, Problem> m = new LinkedHashMap<>();
        for (Problem p : problems) {
            requireArgument(
                    p.language() == language,
                    "problem set '%s' mixes languages: %s is %s, %s is %s",
                    name,
                    p.taskId(),
                    p.language().id(),
                    problems.get(0).taskId(),
                    language.id());
            requireArgument(m.put(p.taskId(), p) == null, "problem set '%s' has task id %s twice", name, p.taskId());
        }
        this.byId = Collections.unmodifiableMap(m);
    }

    /** Where it came from (resource or file name). */
    public String name() {
        return name;
    }

    /** The language of every problem in the set. */
    public EvalLanguage language() {
        return language;
    }

    /** The problems, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    /** The number of problems. */
    public int size() {
        return problems.size();
    }

    /** The problem with this task id, e.g. {@code "HumanEval/0"}. */
    public Optional<Problem> find(String taskId) {
        return Optional.ofNullable(byId.get(taskId));
    }

    /** @throws IllegalArgumentException when the id is not in the set */
    public Problem get(String taskId) {
        Problem p = byId.get(taskId);
        requireArgument(p != null, "task id '%s' is not in problem set '%s'", taskId, name);
        return p;
    }

    /** The first {@code n} problems (for quick runs). */
    public ProblemSet limit(int n) {
        requireArgument(n >= 1, "limit must be >= 1, got %s", n);
        return new ProblemSet(name, new ArrayList<>(problems.subList(0, Math.min(n, problems.size()))));
    }
}
