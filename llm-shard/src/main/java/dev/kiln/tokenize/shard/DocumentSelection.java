package dev.kiln.tokenize.shard;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which documents {@link TokenShardWriter} packs, in which order: a seeded document-level
 * shuffle, the mixture's per-language token budgets (or {@code maxTokens}), then the validation
 * split taken as whole documents from the front of the shuffled selection.
 */
final class DocumentSelection {

    final String[] langNames;
    /** Tokens available, and taken, per language. */
    final long[] available;

    final long[] taken;
    /** The selected documents in shuffled order: {@code [0, nVal)} validation, {@code [nVal, nSel)} training. */
    final int[] selected;

    final int nSel;
    final int nVal;
    final long selTokens;

    DocumentSelection(
            int nDocs,
            int[] lengths,
            int[] langs,
            Map<String, Integer> languageIds,
            Map<String, Double> mixture,
            long maxTokens,
            double valFraction,
            long seed) {
        langNames = languageIds.keySet().toArray(new String[0]);
        available = new long[langNames.length];
        for (int i = 0; i < nDocs; i++) {
            available[langs[i]] += lengths[i];
        }
        // document-level shuffle
        int[] order = new int[nDocs];
        for (int i = 0; i < nDocs; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = nDocs - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        // budgets
        long[] budget = new long[langNames.length];
        if (mixture.isEmpty()) {
            Arrays.fill(budget, Long.MAX_VALUE);
        } else {
            double total;
            if (maxTokens > 0) {
                total = maxTokens;
            } else {
                total = Double.MAX_VALUE;
                for (Map.Entry<String, Double> e : mixture.entrySet()) {
                    Integer l = languageIds.get(e.getKey());
                    total = Math.min(total, (l == null ? 0 : available[l]) / e.getValue());
                }
            }
            for (int l = 0; l < langNames.length; l++) {
                Double w = mixture.get(langNames[l]);
                budget[l] = w == null ? 0 : (long) Math.ceil(w * total);
            }
        }
        taken = new long[langNames.length];
        selected = new int[nDocs];
        int nSel = 0;
        long selTokens = 0;
        for (int k = 0; k < nDocs; k++) {
            int d = order[k];
            int l = langs[d];
            if (taken[l] >= budget[l] || (mixture.isEmpty() && maxTokens > 0 && selTokens >= maxTokens)) {
                continue;
            }
            taken[l] += lengths[d];
            selTokens += lengths[d];
            selected[nSel++] = d;
        }
        // validation: whole documents from the front of the shuffled selection, ~valFraction of the tokens
        int nVal = 0;
        if (valFraction > 0 && nSel > 1) {
            long valTokens = 0;
            while (nVal < nSel - 1 && valTokens < valFraction * selTokens) {
                valTokens += lengths[selected[nVal++]];
            }
        }
        this.nSel = nSel;
        this.selTokens = selTokens;
        this.nVal = nVal;
    }
}
