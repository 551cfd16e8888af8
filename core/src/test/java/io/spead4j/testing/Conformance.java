package io.spead4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spead4j.wire.PacketDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Access to spead2's conformance vectors in {@code ../shared/conformance} (system property
 * {@code spead4j.shared}, set by the build and overridable with {@code -Dspead4j.shared=...}, or
 * {@code ../shared} / {@code ../../shared} from the working directory). Fails loudly when the folder is missing.
 *
 * <p>Every case is a {@code NAME.json} with its files beside it; what a test does with a case is decided from
 * that json (its {@code sent_as_is}, {@code send_config}, {@code recv_config}, ...) and from the files
 * themselves, never from the name. The json is read with Jackson: integers stay exact
 * ({@link JsonNode#bigIntegerValue()} for values beyond a {@code long}, such as a {@code <u8} of 2^64 - 1).
 */
public final class Conformance {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();

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

    /**
     * @return the cases whose {@code NAME.spead} is exactly what spead2's send stream produced
     *     ({@code sent_as_is}), the only ones a sender can reproduce byte for byte
     */
    public static List<String> sentAsIs() {
        return names().stream().filter(n -> json(n).path("sent_as_is").asBoolean(false)).toList();
    }

    /** @return the case's parsed {@code NAME.json} (cached; do not modify) @param name case name */
    public static JsonNode json(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try {
                return MAPPER.readTree(dir().resolve(n + ".json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Parses json text the way every case's json is read (Jackson's defaults: integers as int, long or
     * BigInteger nodes by size, so none loses precision).
     *
     * @param text the json
     * @return the tree
     */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the bytes of {@code NAME.ext} @param name case name @param ext extension without dot */
    public static byte[] bytes(String name, String ext) {
        try {
            return Files.readAllBytes(dir().resolve(name + "." + ext));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bytes of a file of the conformance folder as a string of one {@code char} per byte (ISO-8859-1), so
     * that comparing such strings compares bytes: {@code NAME.recv-*.txt} may hold bytes that are not UTF-8
     * (a descriptor name that is not text), which spead4j's descriptors also carry one char per byte.
     *
     * @param file file name
     * @return the bytes as chars
     */
    public static String byteText(String file) {
        try {
            return new String(Files.readAllBytes(dir().resolve(file)), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The statistics {@code spead2_recv} printed at the end of {@code NAME.recv-plain.txt} (lines
     * {@code name: value}), i.e. of the {@code .pcap} read with spead2's default receive config.
     *
     * @param name case name
     * @return stat name to value
     */
    public static Map<String, Long> printedStats(String name) {
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String line : byteText(name + ".recv-plain.txt").lines().toList()) {
            int colon = line.indexOf(": ");
            if (colon > 0 && line.substring(0, colon).matches("[a-z_]+") && line.substring(colon + 2).matches("\\d+")) {
                stats.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2)));
            }
        }
        return stats;
    }

    /**
     * Whether {@code NAME.spead} is packets back to back to its very end. A buffer reader walks the file packet
     * by packet, each length taken from its header; where a packet cannot be parsed (garbage between packets)
     * it cannot tell where the next one starts and stops there, whereas a pcap reader judges each frame on its
     * own. So where this is false the buffer reader legitimately sees less than the {@code .pcap} readers.
     *
     * @param name case name
     * @return true if every packet of the file decodes, up to its last byte
     */
    public static boolean speadDecodesToTheEnd(String name) {
        byte[] data = bytes(name, "spead");
        MemorySegment segment = MemorySegment.ofArray(data);
        PacketDecoder decoder = new PacketDecoder();
        long offset = 0;
        while (offset < data.length) {
            long size = decoder.decode(segment, offset, data.length - offset);
            if (size <= 0) {
                return false;
            }
            offset += size;
        }
        return true;
    }

    /** @return bytes of a hex string @param hex the hex */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /**
     * The bytes of a name or description of the json: UTF-8 of a string, or the bytes of {@code {"hex": ...}}
     * (how the json gives one that is not valid text).
     *
     * @param node the json value
     * @return its bytes
     */
    public static byte[] textBytes(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().getBytes(StandardCharsets.UTF_8);
        }
        if (node.isObject() && node.has("hex")) {
            return hex(node.get("hex").textValue());
        }
        throw new IllegalArgumentException("not a text or {\"hex\": ...} value: " + node);
    }

    /**
     * @return an integer of the json as a long, failing if it is not an integer that fits
     * @param node the json value
     */
    public static long longValue(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IllegalArgumentException("not an integer that fits a long: " + node);
        }
        return node.longValue();
    }

    /** @return a json array of integers as longs @param node the array */
    public static List<Long> longs(JsonNode node) {
        List<Long> out = new ArrayList<>();
        node.forEach(n -> out.add(longValue(n)));
        return out;
    }

    /**
     * Converts a json value to plain Java values that compare with {@code equals}: objects become
     * {@code LinkedHashMap}, arrays {@code List}, integers {@link BigInteger} (exact at any size), other numbers
     * {@code Double}, plus {@code String}, {@code Boolean} and {@code null}.
     *
     * @param node the json value
     * @return the plain value
     */
    public static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(n -> list.add(plain(n)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        throw new IllegalArgumentException("unexpected json value " + node);
    }
}
