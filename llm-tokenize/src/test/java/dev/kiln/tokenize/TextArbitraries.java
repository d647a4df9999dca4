package dev.kiln.tokenize;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Random text for property tests: tricky fragments (contractions, digits of several scripts,
 * Unicode white space, emoji with modifiers and joiners, control characters) mixed with random
 * code points from blocks assigned long before Unicode 15, so that Java's and Hugging Face's
 * (Oniguruma's) Unicode tables agree on them.
 */
public final class TextArbitraries {

    private static final List<String> FRAGMENTS = List.of(
            "a",
            "Z",
            "é",
            "中",
            "文",
            "ß",
            "Ω",
            "ж",
            "ا",
            "ǅ",
            "ʰ",
            "𝔘",
            "1",
            "9",
            "0",
            "٣",
            "½",
            "Ⅻ",
            "²",
            "𝟘",
            " ",
            "  ",
            "   ",
            "\t",
            "\n",
            "\r\n",
            "\u00A0",
            "\u3000",
            "\u2028",
            "\u0085",
            "\u000B",
            "\f",
            "'",
            "'s",
            "'re",
            "'ll",
            "'d",
            "'t",
            "'m",
            "'ve",
            "'S",
            "''",
            "(",
            ")",
            "{",
            "}",
            ";",
            ".",
            "+",
            "=",
            "->",
            "//",
            "/*",
            "\"",
            "_",
            "😀",
            "👍🏽",
            "\u200D",
            "👩\u200D💻",
            "\u0000",
            "\u001F",
            "\u007F",
            "\u200B",
            "\u0301",
            "<|endoftext|>",
            "<fim_prefix>",
            "<fim",
            "|>",
            "int",
            "return",
            " x",
            " 42",
            "3.14",
            "0x1F",
            "café",
            "日本語",
            "한국어",
            "Привет",
            "مرحبا",
            "नमस्ते",
            "\uFFFD");

    private static final int[][] RANGES = {
        {0x20, 0x7E},
        {0x00, 0x1F},
        {0xA0, 0x24F},
        {0x370, 0x3FF},
        {0x400, 0x4FF},
        {0x591, 0x5F4},
        {0x600, 0x6FF},
        {0x900, 0x97F},
        {0x2000, 0x206F},
        {0x2070, 0x209C},
        {0x2150, 0x218B},
        {0x2190, 0x23FF},
        {0x3000, 0x303F},
        {0x3041, 0x30FF},
        {0x4E00, 0x9FA5},
        {0xAC00, 0xD7A3},
        {0xFF01, 0xFF5E},
        {0x1F300, 0x1F64F},
        {0x1F680, 0x1F6C5},
        {0x1F900, 0x1F9FF},
        {0x1D400, 0x1D7FF}
    };

    private TextArbitraries() {}

    /** A random code point from old, assigned blocks (as a string). */
    public static Arbitrary<String> codePoint() {
        return Arbitraries.integers()
                .between(0, RANGES.length - 1)
                .flatMap(r -> Arbitraries.integers()
                        .between(RANGES[r][0], RANGES[r][1])
                        .filter(cp -> Character.getType(cp) != Character.UNASSIGNED
                                && Character.getType(cp) != Character.SURROGATE
                                && Character.getType(cp) != Character.PRIVATE_USE)
                        .map(Character::toString));
    }

    /** Random text of up to {@code maxParts} fragments and code points. */
    public static Arbitrary<String> text(int maxParts) {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, Arbitraries.of(FRAGMENTS)), net.jqwik.api.Tuple.of(2, codePoint()))
                .list()
                .ofMaxSize(maxParts)
                .map(parts -> String.join("", parts));
    }
}
