package io.spead4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Facts about this build of spead4j, as spead2's {@code spead2.__version__}.
 */
public final class Spead4j {
    /**
     * The version of this spead4j build, e.g. {@code "0.1.0"} (the Maven project version; {@code -SNAPSHOT} on
     * development builds).
     */
    public static final String VERSION = readVersion();

    /** The spead2 release whose wire format and receive rules spead4j follows byte for byte. */
    public static final String SPEAD2_VERSION = "4.4.1";

    private Spead4j() {
    }

    /** {@return the version the build wrote into {@code version.properties} beside this class} */
    private static String readVersion() {
        try (InputStream in = Spead4j.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/spead4j/version.properties is missing from the spead4j jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version");
            if (version == null || version.isBlank() || version.startsWith("${")) {
                throw new IllegalStateException("io/spead4j/version.properties holds no version: " + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/spead4j/version.properties", e);
        }
    }
}
