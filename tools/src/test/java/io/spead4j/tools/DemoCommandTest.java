package io.spead4j.tools;

import io.spead4j.DType;
import io.spead4j.Format;
import io.spead4j.Item;
import io.spead4j.NdArray;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main job: the in-process demo sends, receives and prints what arrived and the stats. */
class DemoCommandTest {
    @Test
    void sendsReceivesAndPrintsEveryHeapAndTheStats() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            status = Main.run("demo", "--heaps", "3");
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(out).contains("Received heap 2: 4 descriptors, updated [matrix, gain, label, timestamp]")
                .contains("timestamp = 3000000")
                .contains("label     = last heap")
                .contains("gain      = (0.5+0.25j)")
                .contains("Received 4 heaps")
                .contains("heaps: 4")
                .contains("packets: 5")
                // the tools tour: send into a capture, receive it verified, decode it, benchmark
                .contains("$ spead4j send --heaps 4")
                .contains("$ spead4j recv --verify --quiet")
                .contains("Received 4 heaps")
                .contains("$ spead4j dump --decode")
                .contains("frame 0: 127.0.0.1:")
                .contains("8192-byte heaps in 9000-byte packets:");
    }

    @Test
    void unsigned64BitValuesArePrintedUnsigned() {
        DType u8 = DType.parse("<u8");
        Item array = Item.ofDType(0x1000, "array", "", new long[] {3}, u8);
        array.setValue(NdArray.ofLongs(u8, new long[] {3}, -1L, 1L, Long.MIN_VALUE));
        assertThat(DemoCommand.show(array)).endsWith("[18446744073709551615, 1, 9223372036854775808]");
        Item scalar = Item.ofFormat(0x1001, "scalar", "", new long[0], Format.of('u', 64));
        scalar.setValue(-2L);
        assertThat(DemoCommand.show(scalar)).isEqualTo("18446744073709551614");
        Item signed = Item.ofDType(0x1002, "signed", "", new long[] {2}, DType.parse("<i8"));
        signed.setValue(NdArray.ofLongs(DType.parse("<i8"), new long[] {2}, -1L, 1L));
        assertThat(DemoCommand.show(signed)).endsWith("[-1, 1]");
    }
}
