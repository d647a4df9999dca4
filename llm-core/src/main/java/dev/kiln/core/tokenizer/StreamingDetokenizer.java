package dev.kiln.core.tokenizer;

import static dev.kiln.core.Checks.requireArgument;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns generated token ids into text deltas that are safe to show: a UTF-8 character split across
 * tokens is held until complete, and text that could be the start of a stop string is held until
 * it is known not to be one. When a stop string appears, the text before it is released and
 * {@link #stopped()} becomes true; the stop string itself is never emitted.
 *
 * <pre>{@code
 * StreamingDetokenizer d = new StreamingDetokenizer(tokenizer, List.of("\n\n"));
 * for (int id : ids) { out.print(d.push(id)); if (d.stopped()) break; }
 * out.print(d.finish());
 * }</pre>
 *
 * <p>Special tokens produce no text. Not thread-safe; one per sequence.
 */
public final class StreamingDetokenizer {

    private final Tokenizer tokenizer;
    private final String[] stops;
    private final int maxStopLength;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer bytes = ByteBuffer.allocate(64);
    private CharBuffer chars = CharBuffer.allocate(64);
    private final StringBuilder held = new StringBuilder();
    private final StringBuilder all = new StringBuilder();
    private boolean stopped;

    /** Decodes {@code tokenizer}'s ids as they come and stops before the first of {@code stopStrings}. */
    public StreamingDetokenizer(Tokenizer tokenizer, List<String> stopStrings) {
        this.tokenizer = tokenizer;
        this.stops = stopStrings.toArray(new String[0]);
        int max = 0;
        for (String s : stops) {
            requireArgument(!s.isEmpty(), "stop strings must not be empty, got %s", stopStrings);
            max = Math.max(max, s.length());
        }
        this.maxStopLength = max;
    }

    /** Adds one token and returns the text that can be released now (possibly empty). */
    public String push(int id) {
        if (stopped) {
            return "";
        }
        if (tokenizer.isSpecial(id)) {
            return "";
        }
        byte[] b = tokenizer.tokenBytes(id);
        if (bytes.remaining() < b.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(bytes.capacity() * 2, bytes.position() + b.length));
            bytes.flip();
            bigger.put(bytes);
            bytes = bigger;
        }
        bytes.put(b);
        decode(false);
        return release(false);
    }

    /** Ends the sequence: releases everything held (incomplete UTF-8 becomes U+FFFD). */
    public String finish() {
        if (stopped) {
            return "";
        }
        decode(true);
        return release(true);
    }

    /** Whether a stop string was seen. */
    public boolean stopped() {
        return stopped;
    }

    /** All text released so far. */
    public String text() {
        return all.toString();
    }

    private void decode(boolean end) {
        bytes.flip();
        if (chars.capacity() < bytes.remaining() + 4) {
            chars = CharBuffer.allocate(bytes.remaining() * 2 + 8);
        }
        chars.clear();
        decoder.decode(bytes, chars, end);
        if (end) {
            decoder.flush(chars);
            decoder.reset();
        }
        bytes.compact();
        chars.flip();
        held.append(chars);
    }

    private String release(boolean end) {
        int stopAt = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (stopAt < 0 || i < stopAt)) {
                stopAt = i;
            }
        }
        int cut;
        if (stopAt >= 0) {
            stopped = true;
            cut = stopAt;
        } else if (end || maxStopLength == 0) {
            cut = held.length();
        } else {
            cut = held.length() - longestStopPrefixSuffix();
        }
        // Never split a surrogate pair.
        if (cut > 0 && cut < held.length() && Character.isHighSurrogate(held.charAt(cut - 1))) {
            cut--;
        }
        String out = held.substring(0, cut);
        held.delete(0, stopped ? held.length() : cut);
        all.append(out);
        return out;
    }

    /** Length of the longest suffix of {@code held} that is a proper prefix of a stop string. */
    private int longestStopPrefixSuffix() {
        int best = 0;
        int n = held.length();
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, n); len > best; len--) {
                if (regionMatches(held, n - len, s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private static boolean regionMatches(StringBuilder sb, int from, String s, int len) {
        for (int i = 0; i < len; i++) {
            if (sb.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
