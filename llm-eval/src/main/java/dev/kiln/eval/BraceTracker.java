package dev.kiln.eval;

/**
 * Tracks the nesting depth of braces in C-family code (Java, C++, Go, JavaScript, Rust), ignoring
 * braces inside comments, string, text-block, backtick (Go raw strings, JavaScript templates) and
 * character literals; a quote followed by more than one character and no closing quote is a Rust
 * lifetime ({@code 'a}), not a literal. Used to stop a HumanEval-X completion once the braces
 * opened by the prompt (the function, and for Java the class) are closed.
 *
 * <pre>{@code
 * BraceTracker t = new BraceTracker();
 * t.feed(prompt);                        // depth 2: class and method open
 * int end = t.feedUntilClosed(completion); // index just after the brace that closes the class, or -1
 * }</pre>
 */
public final class BraceTracker {

    private enum State {
        CODE,
        LINE_COMMENT,
        BLOCK_COMMENT,
        STRING,
        TEXT_BLOCK,
        BACKTICK,
        CHAR
    }

    private State state = State.CODE;
    private int depth;
    private char prev;
    private char prev2;
    private boolean escaped;
    /** Characters seen since a character literal opened. */
    private int charLength;

    /** Current depth (braces opened minus closed, outside comments and literals). */
    public int depth() {
        return depth;
    }

    /** Feeds text. */
    public void feed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            step(text.charAt(i));
        }
    }

    /**
     * Feeds text until the depth returns to zero.
     *
     * @return the index in {@code text} just after the closing brace, or -1 if still open
     */
    public int feedUntilClosed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            int before = depth;
            step(text.charAt(i));
            if (before > 0 && depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    private void step(char c) {
        switch (state) {
            case CODE:
                if (c == '/' && prev == '/') {
                    state = State.LINE_COMMENT;
                } else if (c == '*' && prev == '/') {
                    state = State.BLOCK_COMMENT;
                    c = 0; // so that "/*/" is not taken as closed
                } else if (c == '"') {
                    if (prev == '"' && prev2 == '"') {
                        state = State.TEXT_BLOCK;
                        c = 0;
                    } else {
                        state = State.STRING;
                    }
                } else if (c == '\'') {
                    state = State.CHAR;
                    charLength = 0;
                } else if (c == '`') {
                    state = State.BACKTICK;
                } else if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
                break;
            case LINE_COMMENT:
                if (c == '\n') {
                    state = State.CODE;
                }
                break;
            case BLOCK_COMMENT:
                if (c == '/' && prev == '*') {
                    state = State.CODE;
                    c = 0;
                }
                break;
            case BACKTICK:
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '`') {
                    state = State.CODE;
                    c = 0;
                }
                break;
            case CHAR:
                if (c == '\\') {
                    charLength = -1_000_000; // an escape: a literal, never a lifetime
                }
                if (!escaped && c != '\\' && c != '\'' && ++charLength > 1) {
                    // 'ab...: a Rust lifetime or label, not a character literal
                    state = State.CODE;
                    prev2 = prev;
                    prev = 0;
                    step(c);
                    return;
                }
            // fall through
            case STRING:
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if ((c == '"' && state == State.STRING) || (c == '\'' && state == State.CHAR) || c == '\n') {
                    // An empty "" is STRING then closed: a following '"' starts a text block only if three in a row.
                    state = State.CODE;
                    if (c == '"') {
                        prev2 = prev;
                        prev = c;
                        return;
                    }
                }
                break;
            case TEXT_BLOCK:
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"' && prev == '"' && prev2 == '"') {
                    state = State.CODE;
                    c = 0;
                }
                break;
            default:
                break;
        }
        prev2 = prev;
        prev = c;
    }
}
