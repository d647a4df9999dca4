package dev.kiln.core;

import static dev.kiln.core.Checks.requireArgument;
import static dev.kiln.core.Checks.requireNonNullArgument;
import static dev.kiln.core.Checks.requireState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void failingChecksQuoteTheValue() {
        assertThatThrownBy(() -> requireArgument(false, "top_p must be in (0, 1], got %s", 1.5))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("top_p must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> requireArgument(false, "100% plain"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("100% plain");
        assertThatThrownBy(() -> requireState(false, "closed after %d steps", 3))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("closed after 3 steps");
        assertThatThrownBy(() -> requireNonNullArgument(null, "prompt"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt must not be null");
    }

    @Test
    void passingChecksDoNothingAndFormatNothing() {
        // a bad template would throw if it were formatted
        assertThatCode(() -> requireArgument(true, "%q", 1)).doesNotThrowAnyException();
        assertThatCode(() -> requireState(true, "%q")).doesNotThrowAnyException();
        assertThat(requireNonNullArgument("x", "s")).isEqualTo("x");
    }

    @Test
    void numbersFormatTheSameInEveryLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThatThrownBy(() -> requireArgument(false, "got %.1f", 0.5)).hasMessage("got 0.5");
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }
}
