package dev.kiln.data;

import dev.kiln.core.Document;
import java.util.Map;

/** What happened to one input item: kept (with its encoded row), dropped or failed at a step. */
final class Outcome {

    enum Kind {
        KEPT,
        DROPPED,
        ERROR
    }

    final Kind kind;
    /** The document (kept; dropped after decoding when dropped rows are wanted), else null. */
    final Document doc;
    /** {@code "<stage>:<reason>"} for drops and errors. */
    final String key;
    /** Index of the op that dropped it; -1 when reading; {@code Integer.MAX_VALUE} when kept. */
    final int at;

    final String source;
    final String path;
    final String detail;
    final long inputBytes;
    final boolean countsAsInput;
    final byte[] encoded;
    final long docBytes;
    final int maxLine;
    final String language;

    /**
     * Notes of the filters that kept the document ({@link Verdict#note()}), by op index; null when
     * none. Set by the worker before the outcome is handed over (through a Future).
     */
    Map<Integer, String> notes;

    Outcome(
            Kind kind,
            Document doc,
            String key,
            int at,
            String source,
            String path,
            String detail,
            long inputBytes,
            boolean countsAsInput,
            byte[] encoded,
            long docBytes,
            int maxLine,
            String language) {
        this.kind = kind;
        this.doc = doc;
        this.key = key;
        this.at = at;
        this.source = source;
        this.path = path;
        this.detail = detail;
        this.inputBytes = inputBytes;
        this.countsAsInput = countsAsInput;
        this.encoded = encoded;
        this.docBytes = docBytes;
        this.maxLine = maxLine;
        this.language = language;
    }

    /** Whether the item got past the op at {@code index}. */
    boolean passed(int index) {
        return kind == Kind.KEPT || at > index;
    }

    /** Whether the item reached the op at {@code index}. */
    boolean reached(int index) {
        return kind == Kind.KEPT || at >= index;
    }
}
