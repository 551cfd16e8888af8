package io.spead4j.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.TestPools;
import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.send.SendConformance.WireCapture;
import io.spead4j.send.SendConformance.WireHeap;
import io.spead4j.send.SendConformance.WireItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte identity with spead2's sender: every conformance case whose bytes spead2's sender produced unchanged
 * is rebuilt as {@link Heap}s and sent through a {@link BytesStream}; the output must equal
 * {@code NAME.spead} byte for byte.
 *
 * <p>Rebuilding: {@code NAME.spead} is decoded packet by packet ({@link WireCapture}); a packet with payload
 * offset 0 starts a heap, later packets join the latest heap with their cnt. Each heap gets its non-special
 * item pointers in wire order (once only if every packet repeats them, which selects {@code repeatPointers})
 * and its payload. Descriptors are re-encoded from the raw descriptors of {@code NAME.json} (numpy-header
 * descriptors take their shape from the header, as the receiver clears it); other addressed items use the
 * payload bytes, immediates become A/8-byte immediates, STREAM_CTRL start/stop use {@link Heap#addStart()} /
 * {@link Heap#addEnd()}. Packet size and max heaps come from the json's {@code send_config}; cnts and group
 * modes are inferred as in {@link WireCapture#send}; the heaps that do not interleave are sent once one by one
 * and once as SERIAL groups.
 *
 * <p>The cases run are those whose json says {@code sent_as_is}; the others' bytes were altered after sending
 * (packets reordered, dropped, duplicated, stripped or mixed with garbage), so no sender produces them.
 */
class ConformanceSendTest {
    private static final ThreadPool pool = TestPools.shared();

    static List<String> cases() {
        return SendConformance.sentAsIs();
    }

    @Test
    void someCasesWereSentAsIs() {
        assertThat(cases()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sendsTheSameBytesAsSpead2(String name) throws Exception {
        System.out.println("send case: " + name);
        byte[] expected = Conformance.bytes(name, "spead");
        JsonNode json = Conformance.json(name);
        Flavour flavour = SendConformance.senderFlavour(json);
        WireCapture capture = WireCapture.of(expected);
        Map<Long, List<Descriptor>> descriptors = SendConformance.descriptorsByCnt(name, expected);
        int descriptorsEncoded = 0;
        List<Heap> heaps = new ArrayList<>();
        for (WireHeap wh : capture.heaps) {
            List<Descriptor> ds = descriptors.remove(wh.cnt);
            heaps.add(rebuild(wh, flavour, ds));
            if (ds != null) {
                descriptorsEncoded += ds.size();
            }
        }
        byte[] actual = capture.send(pool, json, heaps, false);
        assertThat(HexFormat.of().formatHex(actual)).isEqualTo(HexFormat.of().formatHex(expected));
        byte[] serial = capture.send(pool, json, heaps, true);
        assertThat(HexFormat.of().formatHex(serial)).as("as SERIAL groups").isEqualTo(HexFormat.of().formatHex(expected));
        // every descriptor went through DescriptorEncoder, none through the raw-bytes fallback
        assertThat(descriptorsEncoded).isEqualTo(capture.descriptorItems);
    }

    private static Heap rebuild(WireHeap wh, Flavour flavour, List<Descriptor> descriptors) {
        Heap heap = new Heap(flavour).repeatPointers(wh.repeated());
        int nextDescriptor = 0;
        for (WireItem item : wh.items()) {
            if (item.isStart()) {
                heap.addStart();
            } else if (item.isStop()) {
                heap.addEnd();
            } else if (item.immediate()) {
                heap.addItem(item.id(), item.bytes(), true);
            } else if (item.id() == io.spead4j.Spead.DESCRIPTOR_ID && descriptors != null
                    && nextDescriptor < descriptors.size()) {
                heap.addDescriptor(descriptors.get(nextDescriptor++));
            } else {
                heap.addItem(item.id(), item.bytes(), false);
            }
        }
        return heap;
    }
}
