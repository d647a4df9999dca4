package dev.kiln.data.parse.internal;

import io.github.treesitter.jtreesitter.NativeLibraryLookup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * jtreesitter's {@link NativeLibraryLookup}: the tree-sitter core library of the
 * {@code io.github.bonede:tree-sitter} jar, extracted by {@link BonedeLibraries}. Registered in
 * {@code META-INF/services}.
 */
public final class BonedeLibraryLookup implements NativeLibraryLookup {

    /** For the ServiceLoader. */
    public BonedeLibraryLookup() {}

    @Override
    public SymbolLookup get(Arena arena) {
        try {
            return SymbolLookup.libraryLookup(BonedeLibraries.extract("tree-sitter"), arena);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the tree-sitter core library: " + e.getMessage(), e);
        }
    }
}
