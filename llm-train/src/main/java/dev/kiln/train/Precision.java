package dev.kiln.train;

import java.util.Locale;

/**
 * Numeric precision of training.
 *
 * <ul>
 *   <li>{@link #FP32}: everything in float32.
 *   <li>{@link #FP16_MIXED}: float32 master weights, optimizer state and residual stream; matrix
 *       products and the element-wise work between them in float16 (as PyTorch's autocast runs
 *       them: normalisation, softmax and the loss stay in float32), with dynamic loss scaling.
 * </ul>
 *
 * <pre>{@code
 * Precision p = Precision.parse("fp16-mixed");
 * }</pre>
 */
public enum Precision {
    /** Float32 everywhere. */
    FP32("fp32"),
    /** Float16 forward and backward with float32 master weights and dynamic loss scaling. */
    FP16_MIXED("fp16-mixed");

    private final String wireName;

    Precision(String wireName) {
        this.wireName = wireName;
    }

    /** The config name ({@code fp32}, {@code fp16-mixed}). */
    public String wireName() {
        return wireName;
    }

    /**
     * The precision called {@code name}.
     *
     * @throws IllegalArgumentException for bf16 (the engine cannot run it) and unknown names
     */
    public static Precision parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Precision p : values()) {
            if (p.wireName.equals(n)) {
                return p;
            }
        }
        if (n.startsWith("bf16")) {
            throw new IllegalArgumentException("precision '" + name + "' cannot run: DJL's PyTorch engine has no"
                    + " bfloat16 data type (it maps FLOAT16 only); use fp16-mixed or fp32");
        }
        throw new IllegalArgumentException("unknown precision '" + name + "' (use fp32 or fp16-mixed)");
    }
}
