package io.spead4j.tools;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spead4j recv --verify} checks the payload pattern of {@code spead4j send --verify} in callback mode (as
 * spead2_recv) and in {@code --ring} mode (which spead2_recv does not verify; spead4j does): a capture with one
 * payload byte flipped fails with spead2's mismatch message and exit status 1, the intact capture passes.
 */
class RecvVerifyTest {
    private static final Pattern FRAME = Pattern.compile(
            "^frame (\\d+): .* SPEAD-64-40 cnt=(\\d+) heap_length=(\\d+) offset=(\\d+) length=(\\d+) items:.*$");
    private static final Pattern MISMATCH = Pattern.compile(
            "Verification mismatch in heap 2, item 0x1000 offset 1023\nexpected 0x([0-9a-f]+), actual 0x([0-9a-f]+)\n");

    @TempDir
    Path tmp;

    /** Three verifiable heaps of one 4096-byte item each (the first also carries the descriptor), then the end. */
    private Path capture() {
        Path file = tmp.resolve("verify.pcap");
        Tool send = Tool.run("send", "--verify", "--pcap", file.toString(), "--heaps", "3", "--items", "1",
                "--heap-size", "4096", "127.0.0.1:8888");
        assertThat(send.status()).as(send.err()).isZero();
        return file;
    }

    /** @return the file offset of every frame's data in a classic little-endian pcap file */
    private static List<Long> frameOffsets(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).as("classic little-endian pcap magic (micro- or nanoseconds)")
                .isIn(0xa1b2c3d4, 0xa1b23c4d);
        List<Long> offsets = new ArrayList<>();
        int position = 24;
        while (position < pcap.length) {
            int captured = b.getInt(position + 8);
            offsets.add((long) position + 16);
            position += 16 + captured;
        }
        return offsets;
    }

    /**
     * Flips the last byte of heap 2's last packet, which is the last byte of its only item (element 1023).
     *
     * @return the corrupted copy
     */
    private Path corrupted(Path intact) throws IOException {
        Tool dump = Tool.run("dump", "--decode", intact.toString());
        assertThat(dump.status()).as(dump.err()).isZero();
        int frame = -1;
        for (String line : dump.lines()) {
            Matcher m = FRAME.matcher(line);
            if (m.matches() && m.group(2).equals("2")
                    && Long.parseLong(m.group(4)) + Long.parseLong(m.group(5)) == Long.parseLong(m.group(3))) {
                frame = Integer.parseInt(m.group(1));
            }
        }
        assertThat(frame).as("the frame ending heap 2 in\n" + dump.out()).isNotNegative();
        byte[] bytes = Files.readAllBytes(intact);
        List<Long> offsets = frameOffsets(bytes);
        int end = (int) (frame + 1 < offsets.size() ? offsets.get(frame + 1) - 16 : bytes.length);
        bytes[end - 1] ^= (byte) 0xff;
        Path file = tmp.resolve("corrupted.pcap");
        Files.write(file, bytes);
        return file;
    }

    private static String[] recv(String mode, Path file) {
        return mode.isEmpty() ? new String[] {"recv", "--verify", file.toString()}
                : new String[] {"recv", mode, "--verify", file.toString()};
    }

    @ParameterizedTest(name = "mode \"{0}\"")
    @ValueSource(strings = {"", "--ring"})
    void intactCapturePassesVerification(String mode) {
        Tool r = Tool.run(recv(mode, capture()));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("mismatch");
        assertThat(r.lines()).contains("Received 3 heaps");
    }

    @ParameterizedTest(name = "mode \"{0}\"")
    @ValueSource(strings = {"", "--ring"})
    void flippedPayloadByteFailsVerificationWithSpead2sMessage(String mode) throws IOException {
        Tool r = Tool.run(recv(mode, corrupted(capture())));
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        Matcher m = MISMATCH.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        long expected = Long.parseLong(m.group(1), 16);
        long actual = Long.parseLong(m.group(2), 16);
        assertThat(actual).as("the flipped byte is the low byte of the big-endian element").isEqualTo(expected ^ 0xff);
        assertThat(r.out()).contains("Received heap 2").doesNotContain("Received heap 3").doesNotContain("Received 3 heaps");
    }
}
