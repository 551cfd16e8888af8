package io.spead4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every example program as a user would: in a JVM of its own, on the module path (module
 * {@code io.spead4j.examples} reading {@code io.spead4j}), over UDP on loopback. A receiver binds port 0 and
 * says where it listens; the sender is started only then. Each test starts two JVMs: on a busy machine that
 * takes longer than the suite's default timeout.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExamplesTest {
    /** The modules an example needs: the examples, the library, SLF4J and its simple binding. */
    private static final Set<String> MODULES = Set.of("io.spead4j.examples", "io.spead4j", "org.slf4j",
            "org.slf4j.simple");
    private static final int HEAPS = 10;
    private static final int HEAP_SIZE = 65536;

    @Test
    void recvExamplePrintsEveryItemOfEveryHeapSentBySendExample() throws Exception {
        String out = receiveWhileSending("RecvExample", List.of("0"), HEAP_SIZE);
        for (int cnt = 1; cnt <= HEAPS; cnt++) {
            assertThat(out).contains("Got heap " + cnt + "\n")
                    .contains(cnt + " timestamp " + (long) (cnt - 1) * HEAP_SIZE + "\n")
                    .contains(cnt + " adc_samples NdArray(|i1, (" + HEAP_SIZE + ",), C, [");
        }
        assertThat(out).endsWith("Received " + HEAPS + " heaps\n");
    }

    @Test
    void recvPowerExamplePrintsTheMeanPowerOfEachHeap() throws Exception {
        String out = receiveWhileSending("RecvPowerExample", List.of("0", String.valueOf(HEAP_SIZE)), HEAP_SIZE);
        Matcher line = Pattern.compile("Timestamp: (\\d+) +Power: (\\d+\\.\\d\\d)\n").matcher(out);
        List<Long> timestamps = new ArrayList<>();
        while (line.find()) {
            timestamps.add(Long.parseLong(line.group(1)));
            // samples uniform in [-100, 100): the mean square is 3333.5, and 65536 samples are close to it
            assertThat(Double.parseDouble(line.group(2))).isBetween(3100.0, 3600.0);
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < HEAPS; i++) {
            expected.add((long) i * HEAP_SIZE);
        }
        assertThat(timestamps).isEqualTo(expected);
        assertThat(out).endsWith("Received " + HEAPS + " heaps\n");
    }

    @Test
    void recvChunkRingExamplePlacesTheDataHeapsInOneChunk() throws Exception {
        String out = receiveWhileSending("RecvChunkRingExample", List.of("0"), RecvChunkRingExample.HEAP_PAYLOAD_SIZE);
        // heap 1 carries the descriptors too, so its payload is not 64 KiB and it is rejected; heaps 2 to 10
        // have counters below 64: chunk 0
        assertThat(out.lines().skip(1)).containsExactly("Received chunk 0 with " + (HEAPS - 1) + " / 64 heaps");
    }

    /**
     * Starts a receiving example on port 0, then {@link SendExample} towards the port it reports, and
     * returns what the receiver printed after it ended (both must exit 0).
     */
    private static String receiveWhileSending(String receiver, List<String> receiverArgs, int heapSize)
            throws Exception {
        Example recv = start(receiver, receiverArgs);
        try {
            InputStream recvOut = recv.process().getInputStream();
            String first = CompletableFuture.supplyAsync(() -> readLine(recvOut)).get(60, TimeUnit.SECONDS);
            assertThat(first).as("first line of %s; stderr:%n%s", receiver, recv.stderr())
                    .startsWith("Listening on ");
            String port = first.substring(first.lastIndexOf(':') + 1);

            Example send = start("SendExample", List.of("127.0.0.1", port, String.valueOf(HEAPS),
                    String.valueOf(heapSize)));
            try {
                String sent = send.finish();
                assertThat(sent).isEqualTo("Sent " + HEAPS + " heaps to 127.0.0.1:" + port + "\n");
            } finally {
                send.process().destroyForcibly();
            }
            return first + "\n" + recv.finish();
        } finally {
            recv.process().destroyForcibly();
        }
    }

    /** An example running in a JVM of its own, its standard error going to {@code err}. */
    private record Example(Process process, Path err) {
        /** @return the rest of the standard output once the process has exited 0 (at most 60 s) */
        String finish() throws Exception {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s; stderr:%n%s", stderr())
                    .isTrue();
            String text = new String(out.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit status; stdout:%n%s%nstderr:%n%s", text, stderr()).isZero();
            return text;
        }

        String stderr() {
            try {
                return Files.readString(err);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }

    /** Starts an example in a new JVM on the module path, its standard error going to a file. */
    private static Example start(String example, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=io.spead4j",
                "--module-path", modulePath(),
                "--module", "io.spead4j.examples/io.spead4j.examples." + example));
        command.addAll(args);
        Path err = Files.createTempFile("spead4j-example-" + example, ".err");
        err.toFile().deleteOnExit();
        return new Example(new ProcessBuilder(command).redirectError(err.toFile()).start(), err);
    }

    /** @return the entries of the test's class path holding {@link #MODULES}, as a module path */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            try {
                for (ModuleReference module : ModuleFinder.of(Path.of(entry)).findAll()) {
                    if (MODULES.contains(module.descriptor().name())) {
                        entries.add(entry);
                    }
                }
            } catch (FindException notAModule) {
                // test-classes and the like: not a module, not needed
            }
        }
        assertThat(entries).as("class path entries holding %s", MODULES).hasSize(MODULES.size());
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String readLine(InputStream in) {
        StringBuilder line = new StringBuilder();
        try {
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return line.toString();
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
