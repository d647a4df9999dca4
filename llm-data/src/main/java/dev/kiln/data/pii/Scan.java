package dev.kiln.data.pii;

import java.util.ArrayList;
import java.util.List;

/**
 * One scan of one text: the single pass over its characters and the spans found so far. The pass
 * skips whole words with one table lookup per character and stops only at trigger points, where it
 * hands over to a detector:
 *
 * <ul>
 *   <li>a word start whose first character begins a vendor prefix: {@link KeyRules} (data);
 *   <li>a word start {@code eyJ} / {@code Bearer }: {@link Tokens};
 *   <li>a digit at a word start: {@link IpSpans};
 *   <li>{@code @}: {@link Emails};
 *   <li>{@code ://}: {@link UrlSecrets}; {@code =} or {@code :}: {@link Assignments};
 *   <li>{@code -----BEGIN}: {@link PemBlocks}.
 * </ul>
 *
 * A detector returns where the scan continues (the end of what it consumed) or -1.
 */
final class Scan {

    // Character classes for the main loop.
    static final byte WORD = 1; // [A-Za-z0-9_]
    static final byte TRIGGER = 2; // @ = : -
    static final byte[] CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
                CLASS[c] = WORD;
            }
        }
        CLASS['@'] = TRIGGER;
        CLASS['='] = TRIGGER;
        CLASS[':'] = TRIGGER;
        CLASS['-'] = TRIGGER;
    }

    final PiiScanner cfg;
    final String s;
    final int n;
    List<PiiSpan> out;
    int lastEnd;
    int[] octets;

    Scan(PiiScanner cfg, String s) {
        this.cfg = cfg;
        this.s = s;
        this.n = s.length();
    }

    List<PiiSpan> spans() {
        return out == null ? List.of() : out;
    }

    void add(PiiType type, int start, int end, String kind) {
        if (!cfg.reports(type) || start < lastEnd || end <= start) {
            return;
        }
        if (out == null) {
            out = new ArrayList<>(4);
        }
        out.add(new PiiSpan(type, start, end, kind));
        lastEnd = end;
    }

    /** Reports a token unless it is allowlisted or a placeholder; returns {@code end} either way. */
    int emitToken(int start, int end, PiiType type, String kind) {
        String v = s.substring(start, end);
        if (cfg.allowed(v) || Placeholders.isPlaceholder(v)) {
            return end; // a known example: skip it whole, report nothing
        }
        add(type, start, end, kind);
        return end;
    }

    void run() {
        final int n = this.n;
        final char[] a = chars(s);
        final byte[] cls = CLASS;
        int i = 0;
        while (i < n) {
            char c = a[i];
            if (c >= 128) {
                i++;
                continue;
            }
            byte k = cls[c];
            if (k == 0) {
                i++;
                continue;
            }
            if (k == WORD) {
                if (i == 0 || !isWord(a[i - 1])) {
                    int end = wordStart(i, c);
                    if (end > i) {
                        i = end;
                        continue;
                    }
                }
                i++;
                while (i < n) {
                    char d = a[i];
                    if (d >= 128 || cls[d] != WORD) {
                        break;
                    }
                    i++;
                }
                continue;
            }
            int end;
            switch (c) {
                case '@':
                    end = Emails.at(this, i);
                    break;
                case ':':
                    end = i + 2 < n && a[i + 1] == '/' && a[i + 2] == '/'
                            ? UrlSecrets.at(this, i)
                            : Assignments.at(this, i);
                    break;
                case '=':
                    end = Assignments.at(this, i);
                    break;
                default: // '-'
                    end = PemBlocks.at(this, i);
                    break;
            }
            i = end > i ? end : i + 1;
        }
    }

    /** Tries the detectors that start at the beginning of a word; returns the match end or -1. */
    int wordStart(int i, char c) {
        KeyRules rules = KeyRules.DEFAULT;
        if (rules.mayStartWith(c)) {
            long m = rules.find(s, i);
            if (m >= 0) {
                KeyRule r = rules.rules.get((int) (m >>> 32));
                int end = emitToken(i, (int) m, PiiType.KEY, r.kind);
                if (r.kind.equals("aws-access-key")) {
                    Tokens.awsSecretNear(this, end);
                }
                return end;
            }
        }
        if (c == 'e') {
            return startsWith(i, "eyJ") ? Tokens.jwt(this, i) : -1;
        }
        if (c == 'B') {
            return startsWith(i, "Bearer ") ? Tokens.bearer(this, i + 7) : -1;
        }
        if (c >= '0' && c <= '9') {
            return IpSpans.at(this, i);
        }
        return -1;
    }

    boolean startsWith(int i, String p) {
        return s.startsWith(p, i);
    }

    char lower(int j) {
        return (char) (s.charAt(j) | 0x20);
    }

    /** A per-thread buffer holding the text's chars: the main loop reads an array, not String.charAt. */
    private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[1 << 16]);

    static char[] chars(String s) {
        char[] buf = BUFFER.get();
        if (buf.length < s.length()) {
            buf = new char[Math.max(s.length(), buf.length * 2)];
            BUFFER.set(buf);
        }
        s.getChars(0, s.length(), buf, 0);
        return buf;
    }

    static boolean isWord(char c) {
        return c < 128 && CLASS[c] == WORD;
    }

    static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
