package dev.kiln.train;

/** Training stopped because the loss or a gradient became NaN or infinite. */
public class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The loss became NaN or infinite; {@code message} says at which step. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
