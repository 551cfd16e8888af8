package io.spead4j;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Spead4j#VERSION} is the version Maven built (the surefire configuration passes it along). */
class Spead4jVersionTest {
    @Test
    void versionIsTheProjectVersionOfTheBuild() {
        String built = System.getProperty("spead4j.project.version");
        assertThat(built).as("surefire passes spead4j.project.version").isNotBlank();
        assertThat(Spead4j.VERSION).isEqualTo(built).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void spead2VersionIsTheOneTheConformanceVectorsCameFrom() {
        assertThat(Spead4j.SPEAD2_VERSION).isEqualTo("4.4.1");
    }
}
