package dev.kiln.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link UnicodeClassesTest}'s checks in the JVM surefire's {@code on-java-17} execution starts
 * from the machine's Java 17 (Unicode 13), where Kiln's ids must be what they are on Java 25.
 */
@Tag("java17")
class UnicodeClassesJava17Test {

    @Test
    void runsOnTheExpectedJavaVersionWithTheSameClasses() {
        int expected = Integer.getInteger("kiln.expect.java", Runtime.version().feature());
        assertThat(Runtime.version().feature()).isEqualTo(expected);
        UnicodeClassesTest.sameOnEveryJvm();
    }
}
