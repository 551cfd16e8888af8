package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spead4j --version} prints the library version the build produced, as spead2's {@code __version__}. */
class VersionTest {
    @Test
    void versionPrintsTheBuiltVersionAndExitsZero() {
        String built = System.getProperty("spead4j.project.version");
        assertThat(built).as("surefire passes spead4j.project.version").isNotBlank();
        Tool r = Tool.run("--version");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines()).first().isEqualTo("spead4j " + built);
        assertThat(r.out()).contains("wire-compatible with spead2 4.4.1").contains("Java ");
    }
}
