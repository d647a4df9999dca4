package dev.kiln.eval.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.KilnEnvironmentException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The isolation policy: levels parse by name, a level below the minimum is refused with what is
 * missing and how to allow it, and the {@code namespaces} level (no root needed) really takes the
 * network away and gives the sample a PID namespace of its own.
 */
class IsolationPolicyTest {

    @Test
    void levelsParseAndOrder() {
        assertThat(Sandbox.Isolation.parse("Namespaces")).isEqualTo(Sandbox.Isolation.NAMESPACES);
        assertThat(Sandbox.Isolation.FULL.atLeast(Sandbox.Isolation.NAMESPACES)).isTrue();
        assertThat(Sandbox.Isolation.LIMITS.atLeast(Sandbox.Isolation.NAMESPACES))
                .isFalse();
        assertThat(Sandbox.Isolation.NONE.id()).isEqualTo("none");
        assertThatThrownBy(() -> Sandbox.Isolation.parse("chroot"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown isolation level 'chroot'; use full, namespaces, limits or none");
    }

    @Test
    void aLevelBelowTheMinimumIsRefusedWithTheWayToAllowIt() {
        assertThatThrownBy(() -> Sandbox.select(Sandbox.Isolation.NONE, Sandbox.Isolation.NAMESPACES))
                .isInstanceOf(KilnEnvironmentException.class)
                .hasMessageContaining("refusing to run model-written code with isolation 'none'")
                .hasMessageContaining("below the minimum 'namespaces'")
                .hasMessageContaining("--min-isolation none");
        assertThat(Sandbox.select(Sandbox.Isolation.NONE, Sandbox.Isolation.NONE)
                        .isolation())
                .isEqualTo(Sandbox.Isolation.NONE);
        assertThat(Sandbox.select(null, Sandbox.Isolation.NONE).isolation())
                .isEqualTo(Sandbox.detect().isolation());
        // Executors apply the same minimum.
        assertThatThrownBy(() -> JavaScriptExecutor.builder()
                        .optSandbox(Sandbox.of(Sandbox.Isolation.LIMITS))
                        .build())
                .isInstanceOf(KilnEnvironmentException.class)
                .hasMessageContaining("--min-isolation limits");
    }

    @Test
    void namespacesLevelHasNoNetworkAndItsOwnPids() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Sandbox.detect().isolation().atLeast(Sandbox.Isolation.NAMESPACES),
                "no user namespaces here: " + Sandbox.detect().whyNotStronger());
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String program = "const net = require('net');\n"
                    + "const s = net.connect(" + server.getLocalPort() + ", '127.0.0.1');\n"
                    + "s.on('connect', () => { console.log('CONNECTED pid=' + process.pid); process.exit(3); });\n"
                    + "s.on('error', (e) => { console.assert(process.pid < 10, 'pid ' + process.pid); });\n";
            for (Sandbox.Isolation level :
                    new Sandbox.Isolation[] {Sandbox.Isolation.NAMESPACES, Sandbox.Isolation.NONE}) {
                try (JavaScriptExecutor js = JavaScriptExecutor.builder()
                        .optSandbox(Sandbox.of(level))
                        .optMinIsolation(Sandbox.Isolation.NONE)
                        .optWorkers(1)
                        .optTimeout(Duration.ofSeconds(10))
                        .build()) {
                    ExecOutcome o = js.execute(program);
                    if (level == Sandbox.Isolation.NAMESPACES) {
                        // the connection is refused (no network) and the sample is pid 1 of its namespace
                        assertThat(o.result()).as(level.id()).isEqualTo("passed");
                    } else {
                        assertThat(o.result()).as(level.id()).startsWith("failed: exit status 3");
                    }
                }
            }
        }
    }
}
