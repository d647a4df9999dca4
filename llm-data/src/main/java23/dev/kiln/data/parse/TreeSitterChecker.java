package dev.kiln.data.parse;

import dev.kiln.data.parse.internal.BonedeLibraries;
import io.github.treesitter.jtreesitter.InputEncoding;
import io.github.treesitter.jtreesitter.Language;
import io.github.treesitter.jtreesitter.Node;
import io.github.treesitter.jtreesitter.Parser;
import io.github.treesitter.jtreesitter.Tree;
import io.github.treesitter.jtreesitter.TreeCursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * tree-sitter through jtreesitter (FFM), Java 23+ only (multi-release section of the jar). Grammars
 * are loaded once per JVM (their libraries stay mapped for its lifetime); parsers are per thread;
 * each check's trees, cursors and nodes are freed at its end (the tree is closed, nodes live in a
 * confined arena).
 */
final class TreeSitterChecker implements TreeSitterParsers {

    /** Kiln language name -> {library name, exported symbol}. */
    private static final Map<String, String[]> GRAMMARS = Map.ofEntries(
            Map.entry("python", new String[] {"tree-sitter-python", "tree_sitter_python"}),
            Map.entry("javascript", new String[] {"tree-sitter-javascript", "tree_sitter_javascript"}),
            Map.entry("typescript", new String[] {"tree-sitter-typescript", "tree_sitter_typescript"}),
            Map.entry("go", new String[] {"tree-sitter-go", "tree_sitter_go"}),
            Map.entry("rust", new String[] {"tree-sitter-rust", "tree_sitter_rust"}),
            Map.entry("c", new String[] {"tree-sitter-c", "tree_sitter_c"}),
            Map.entry("cpp", new String[] {"tree-sitter-cpp", "tree_sitter_cpp"}),
            Map.entry("csharp", new String[] {"tree-sitter-c-sharp", "tree_sitter_c_sharp"}),
            Map.entry("ruby", new String[] {"tree-sitter-ruby", "tree_sitter_ruby"}),
            Map.entry("php", new String[] {"tree-sitter-php", "tree_sitter_php"}),
            Map.entry("shell", new String[] {"tree-sitter-bash", "tree_sitter_bash"}),
            Map.entry("kotlin", new String[] {"tree-sitter-kotlin", "tree_sitter_kotlin"}),
            Map.entry("scala", new String[] {"tree-sitter-scala", "tree_sitter_scala"}),
            Map.entry("json", new String[] {"tree-sitter-json", "tree_sitter_json"}),
            Map.entry("html", new String[] {"tree-sitter-html", "tree_sitter_html"}),
            Map.entry("css", new String[] {"tree-sitter-css", "tree_sitter_css"}));

    private static final Map<String, Language> LANGUAGES = new ConcurrentHashMap<>();

    private static final ThreadLocal<Map<String, Parser>> PARSERS = ThreadLocal.withInitial(HashMap::new);

    /** Chars handed to tree-sitter per read callback. */
    private static final int CHUNK = 64 * 1024;

    /** The languages whose grammar jar is on the class path. */
    private final Set<String> available;

    TreeSitterChecker() {
        Set<String> present = new TreeSet<>();
        for (Map.Entry<String, String[]> e : GRAMMARS.entrySet()) {
            if (BonedeLibraries.present(e.getValue()[0])) {
                present.add(e.getKey());
            }
        }
        this.available = Set.copyOf(present);
        // Fail here (and fall back to NONE) if the core library cannot be bound.
        new Parser().close();
    }

    @Override
    public Set<String> languages() {
        return available;
    }

    @Override
    public int errorNodes(String language, String content, int stopAfter, long timeoutMillis) {
        if (!available.contains(language)) {
            return -1;
        }
        Parser parser = PARSERS.get().computeIfAbsent(language, l -> new Parser(language(l)));
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Parser.Options options = new Parser.Options(state -> System.nanoTime() > deadline);
        int length = content.length();
        // UTF-16: byte offset / 2 is the char index, so chunks are plain substrings.
        Optional<Tree> parsed = parser.parse(
                (offset, point) -> {
                    int from = offset / 2;
                    if (from >= length) {
                        return "";
                    }
                    int to = Math.min(length, from + CHUNK);
                    if (to < length && Character.isHighSurrogate(content.charAt(to - 1))) {
                        to++;
                    }
                    return content.substring(from, to);
                },
                InputEncoding.UTF_16LE,
                options);
        if (parsed.isEmpty()) {
            parser.reset(); // cancelled by the timeout
            return -1;
        }
        try (Tree tree = parsed.get();
                Arena arena = Arena.ofConfined()) {
            Node root = tree.getRootNode();
            if (!root.hasError()) {
                return 0;
            }
            return countErrors(root, stopAfter, arena);
        }
    }

    /** ERROR and MISSING nodes, descending only into subtrees that contain one. */
    private static int countErrors(Node root, int stopAfter, Arena arena) {
        int count = 0;
        try (TreeCursor cursor = root.walk()) {
            boolean descend = true;
            while (true) {
                Node node = cursor.getCurrentNode(arena);
                if (descend) {
                    if (node.isError() || node.isMissing()) {
                        if (++count > stopAfter) {
                            return count;
                        }
                    }
                    if (node.hasError() && !node.isMissing() && cursor.gotoFirstChild()) {
                        continue;
                    }
                }
                if (cursor.gotoNextSibling()) {
                    descend = true;
                    continue;
                }
                if (!cursor.gotoParent()) {
                    return count;
                }
                descend = false;
            }
        }
    }

    private static Language language(String name) {
        return LANGUAGES.computeIfAbsent(name, n -> {
            String[] g = GRAMMARS.get(n);
            try {
                SymbolLookup lookup = SymbolLookup.libraryLookup(BonedeLibraries.extract(g[0]), Arena.global());
                return Language.load(lookup, g[1]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the tree-sitter grammar " + g[0] + ": " + e.getMessage(), e);
            }
        });
    }
}
