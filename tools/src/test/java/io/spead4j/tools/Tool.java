package io.spead4j.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs {@code spead4j} in-process with captured output, and finds the shared conformance vectors.
 *
 * @param status the exit status
 * @param stdout the bytes written to standard output, exactly
 * @param err standard error, as UTF-8 text
 */
record Tool(int status, byte[] stdout, String err) {
    static Tool run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, args);
        }
        return new Tool(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code spead4j} on a daemon thread of its own (never a shared pool, which a receiver that does not end
     * could starve), for commands that run while a test drives them.
     *
     * @param args the arguments
     * @return the result, when the command ends
     */
    static java.util.concurrent.CompletableFuture<Tool> start(String... args) {
        java.util.concurrent.CompletableFuture<Tool> result = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("spead4j-" + args[0]).start(() -> {
            try {
                result.complete(run(args));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** @return standard output as UTF-8 text (for output that is known to be text) */
    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** @return the lines of standard output as UTF-8 text */
    List<String> lines() {
        return out().lines().toList();
    }

    /**
     * Splits bytes into '\n'-terminated lines, each as ISO-8859-1 text: one char per byte, so comparing these
     * strings compares the bytes exactly, whatever they are (spead2_recv prints descriptor names as raw bytes).
     *
     * @param bytes the output
     * @return the lines, without their '\n' (a last line without '\n' is kept)
     */
    static List<String> byteLines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> lines = new java.util.ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    /** @return the lines of standard output, byte for byte (see {@link #byteLines(byte[])}) */
    List<String> rawLines() {
        return byteLines(stdout);
    }

    /**
     * Reads a file as byte-exact lines (see {@link #byteLines(byte[])}).
     *
     * @param file the file
     * @return its lines
     * @throws IOException if it cannot be read
     */
    static List<String> rawLines(Path file) throws IOException {
        return byteLines(Files.readAllBytes(file));
    }

    /** @return the shared folder ({@code spead4j.shared}, or ../shared, ../../shared) */
    static Path shared() {
        String prop = System.getProperty("spead4j.shared");
        for (Path p : new Path[] {prop == null ? null : Paths.get(prop), Paths.get("../shared"), Paths.get("../../shared")}) {
            if (p != null && Files.isDirectory(p.resolve("conformance"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("../shared/conformance not found (spead4j.shared=" + prop + ")");
    }

    static Path conformance(String file) {
        return shared().resolve("conformance").resolve(file);
    }

    /** @return every conformance case name, sorted */
    static List<String> cases() {
        try (Stream<Path> files = Files.list(shared().resolve("conformance"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
