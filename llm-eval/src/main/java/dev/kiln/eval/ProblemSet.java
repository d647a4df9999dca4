package dev.kiln.eval;

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
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("problem set '" + name + "' is empty");
        }
        this.name = name;
        this.language = problems.get(0).language();
        this.problems = List.copyOf(problems);
        Map<String, Problem> m = new LinkedHashMap<>();
        for (Problem p : problems) {
            if (p.language() != language) {
                throw new IllegalArgumentException("problem set '" + name + "' mixes languages: " + p.taskId() + " is "
                        + p.language().id() + ", " + problems.get(0).taskId() + " is " + language.id());
            }
            if (m.put(p.taskId(), p) != null) {
                throw new IllegalArgumentException("problem set '" + name + "' has task id " + p.taskId() + " twice");
            }
        }
        this.byId = Collections.unmodifiableMap(m);
    }

    /** Where it came from (resource or file name). */
    public String name() {
        return name;
    }

    public EvalLanguage language() {
        return language;
    }

    public List<Problem> problems() {
        return problems;
    }

    public int size() {
        return problems.size();
    }

    public Optional<Problem> find(String taskId) {
        return Optional.ofNullable(byId.get(taskId));
    }

    /** @throws IllegalArgumentException when the id is not in the set */
    public Problem get(String taskId) {
        Problem p = byId.get(taskId);
        if (p == null) {
            throw new IllegalArgumentException("task id '" + taskId + "' is not in problem set '" + name + "'");
        }
        return p;
    }

    /** The first {@code n} problems (for quick runs). */
    public ProblemSet limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + n);
        }
        return new ProblemSet(name, new ArrayList<>(problems.subList(0, Math.min(n, problems.size()))));
    }
}
