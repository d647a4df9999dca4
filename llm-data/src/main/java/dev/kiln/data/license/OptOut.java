package dev.kiln.data.license;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code optout} stage: drops documents whose repository or path matches an opt-out list, as
 * The Stack honours removal requests. Drop reason: {@code opted-out}.
 *
 * <p>An opt-out list file has one entry a line ({@code #} comments allowed): {@code
 * repo:owner/name} matches the document's {@code repository} metadata (case-insensitive), {@code
 * path:GLOB} matches its path ({@code *} within a segment, {@code **} across segments); a bare line
 * is a repository.
 *
 * <pre>{@code
 * OptOut optout = OptOut.builder().optRepositories(List.of("acme/secret")).optPaths(List.of("**}{@code /internal/**")).build();
 * OptOut fromFile = OptOut.builder().optListFile(Path.of("optout.txt")).build();
 * }</pre>
 */
public final class OptOut implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    /** The stage name. */
    public static final String NAME = "optout";

    private final Set<String> repositories;
    private final List<String> globs;
    private transient List<Pattern> patterns;

    private OptOut(Builder b) {
        this.repositories = Set.copyOf(b.repositories);
        this.globs = List.copyOf(b.globs);
    }

    /** A builder; add the opted-out repositories or paths before {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verdict test(Document doc) {
        if (!repositories.isEmpty()) {
            Object repo = doc.metadata().get(Document.REPOSITORY.name());
            if (repo != null && repositories.contains(repo.toString().toLowerCase(Locale.ROOT))) {
                return Verdict.drop("opted-out");
            }
        }
        if (!globs.isEmpty()) {
            List<Pattern> ps = patterns;
            if (ps == null) {
                ps = new ArrayList<>();
                for (String g : globs) {
                    ps.add(globToRegex(g));
                }
                patterns = ps;
            }
            for (Pattern p : ps) {
                if (p.matcher(doc.path()).matches()) {
                    return Verdict.drop("opted-out");
                }
            }
        }
        return Verdict.KEEP;
    }

    static Pattern globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        sb.append("(?:.*/)?");
                    } else {
                        sb.append(".*");
                    }
                } else {
                    sb.append("[^/]*");
                }
            } else if (c == '?') {
                sb.append("[^/]");
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }

    @Override
    public String toString() {
        return "optout(" + repositories.size() + " repositories, " + globs.size() + " path patterns)";
    }

    /** Settings of an {@link OptOut}. */
    public static final class Builder {
        private final Set<String> repositories = new LinkedHashSet<>();
        private final List<String> globs = new ArrayList<>();

        private Builder() {}

        /** Repositories ({@code owner/name}) to drop. */
        public Builder optRepositories(Collection<String> repos) {
            for (String r : repos) {
                if (r == null || r.isBlank()) {
                    throw new IllegalArgumentException("opt-out repository must not be blank, got '" + r + "'");
                }
                repositories.add(r.strip().toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** Path globs to drop. */
        public Builder optPaths(Collection<String> pathGlobs) {
            for (String g : pathGlobs) {
                if (g == null || g.isBlank()) {
                    throw new IllegalArgumentException("opt-out path pattern must not be blank, got '" + g + "'");
                }
                globs.add(g.strip());
            }
            return this;
        }

        /** Reads an opt-out list file (see the class comment). */
        public Builder optListFile(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("opt-out list '" + file + "' is not a readable file");
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (l.startsWith("path:")) {
                    optPaths(List.of(l.substring(5)));
                } else {
                    optRepositories(List.of(l.startsWith("repo:") ? l.substring(5) : l));
                }
            }
            return this;
        }

        /** The opt-out filter with the entries given. */
        public OptOut build() {
            return new OptOut(this);
        }
    }
}
