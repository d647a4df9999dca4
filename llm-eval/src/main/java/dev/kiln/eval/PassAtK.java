package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): with {@code n} samples of which {@code c}
 * pass, {@code pass@k = 1 - C(n-c, k) / C(n, k)}, computed as the numerically stable product
 * {@code 1 - prod_{i=n-c+1..n} (1 - k/i)}.
 *
 * <pre>{@code
 * double p = PassAtK.estimate(200, 13, 10);   // 0.4913...
 * }</pre>
 */
public final class PassAtK {

    private PassAtK() {}

    /**
     * @throws IllegalArgumentException unless {@code 0 <= c <= n} and {@code 1 <= k <= n}
     */
    public static double estimate(int n, int c, int k) {
        requireArgument(n >= 1 && c >= 0 && c <= n, "need 0 <= c <= n and n >= 1, got n=%s, c=%s", n, c);
        requireArgument(k >= 1 && k <= n, "k must be in [1, n=%s], got %s", n, k);
        if (n - c < k) {
            return 1.0;
        }
        double prod = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            prod *= 1.0 - (double) k / i;
        }
        return 1.0 - prod;
    }
}
