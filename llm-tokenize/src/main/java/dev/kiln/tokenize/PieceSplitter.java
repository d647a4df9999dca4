package dev.kiln.tokenize;

/** Splits text into the pieces a model encodes separately (a pre-tokenizer). */
interface PieceSplitter {

    /** The end (exclusive) of the piece starting at {@code start}; {@code start < end}. */
    int next(CharSequence s, int start, int end);

    /**
     * Hugging Face's {@code Metaspace} (split, no prefix) on raw text: a piece starts at every space
     * (or {@code ▁}) and runs to the next one.
     */
    PieceSplitter METASPACE = (s, start, end) -> {
        int q = start + 1;
        while (q < end) {
            char c = s.charAt(q);
            if (c == ' ' || c == UnigramModel.SPACE) {
                break;
            }
            q++;
        }
        return q;
    };
}
