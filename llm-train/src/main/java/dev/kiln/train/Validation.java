package dev.kiln.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kiln.train.data.TokenSequences;
import java.util.Arrays;

/** Validation loss: the mean over the first batches of the validation rows, in order. */
final class Validation {

    private Validation() {}

    static double meanLoss(GptModel model, TokenSequences val, int rowsPerBatch, int maxBatches) {
        int t = val.seqLen();
        long batches = Math.max(1, Math.min(maxBatches, val.size() / rowsPerBatch));
        int[] row = new int[t + 1];
        int[] xs = new int[rowsPerBatch * t];
        int[] ys = new int[rowsPerBatch * t];
        double sum = 0;
        long n = 0;
        long r = 0;
        for (long bi = 0; bi < batches; bi++) {
            int rows = (int) Math.min(rowsPerBatch, val.size() - r);
            if (rows <= 0) {
                break;
            }
            for (int i = 0; i < rows; i++) {
                val.read(r++, row);
                System.arraycopy(row, 0, xs, i * t, t);
                System.arraycopy(row, 1, ys, i * t, t);
            }
            try (NDManager sm = model.manager().newSubManager()) {
                NDArray x = sm.create(Arrays.copyOf(xs, rows * t), new Shape(rows, t));
                NDArray y = sm.create(Arrays.copyOf(ys, rows * t), new Shape(rows, t));
                sum += model.loss(x, y, false).getFloat() * rows;
                n += rows;
            }
        }
        return sum / n;
    }
}
