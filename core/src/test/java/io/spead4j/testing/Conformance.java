package io.spead4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Access to spead2's conformance vectors in {@code ../shared/conformance} (system property
 * {@code spead4j.shared}, set by the build, or {@code ../shared} / {@code ../../shared} from the working
 * directory). Fails loudly when the folder is missing.
 */
public final class Conformance {
    private Conformance() {
    }

    /** @return the shared folder */
    public static Path shared() {
        String prop = System.getProperty("spead4j.shared");
        for (Path p : new Path[] {prop == null ? null : Paths.get(prop), Paths.get("../shared"), Paths.get("../../shared")}) {
            if (p != null && Files.isDirectory(p.resolve("conformance"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("../shared/conformance not found beside the repository (spead4j.shared="
                + prop + ", cwd=" + Paths.get("").toAbsolutePath() + ")");
    }

    /** @return the conformance folder */
    public static Path dir() {
        return shared().resolve("conformance");
    }

    /** @return the names of every case (every {@code NAME.json}), sorted */
    public static List<String> names() {
        try (Stream<Path> files = Files.list(dir())) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
            if (names.isEmpty()) {
                throw new IllegalStateException("no conformance cases in " + dir());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the case's parsed {@code NAME.json} @param name case name */
    public static Map<String, Object> json(String name) {
        return Json.obj(Json.parse(text(name + ".json")));
    }

    /** @return the bytes of {@code NAME.ext} @param name case name @param ext extension without dot */
    public static byte[] bytes(String name, String ext) {
        try {
            return Files.readAllBytes(dir().resolve(name + "." + ext));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the text of a file in the conformance folder @param file file name */
    public static String text(String file) {
        try {
            return Files.readString(dir().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return bytes of a hex string @param hex the hex */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
