package io.spead4j.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.TestPools;
import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.Item;
import io.spead4j.NdArray;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.send.SendConformance.WireCapture;
import io.spead4j.send.SendConformance.WireHeap;
import io.spead4j.send.SendConformance.WireItem;
import io.spead4j.testing.Conformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 4 round trip: for every conformance case spead2's sender produced unchanged, a send {@link ItemGroup}
 * built in Java with the same ids, names, descriptions, shapes, dtypes/formats and values produces a
 * {@code NAME.spead} byte-identical to the file.
 *
 * <p>How each case is replayed, heap by heap in wire order ({@link WireCapture}):
 * <ul>
 * <li>each descriptor item on the wire adds {@link Item#fromDescriptor} of the matching raw descriptor of the
 *     case's json (same cnt, same position) to the group, as spead2's user added the item;</li>
 * <li>each value item on the wire is decoded into its item with {@link Item#setFromRaw} from the raw bytes on
 *     the wire (an immediate as its A/8-byte field), so the value goes through a real decode, then the
 *     {@link HeapGenerator} encodes it again ({@link Item#toBuffer}, {@link Item#allowImmediate});</li>
 * <li>the heap is {@link ItemGroup#getHeap()} with the default stale policies: the wire shows every heap to be
 *     "new descriptors, then changed values, in item order", so no heap needed {@code ALL} or {@code NONE};
 *     a heap holding only a start or stop item is {@link ItemGroup#getStart()} / {@link ItemGroup#getEnd()};
 *     a heap whose packets all repeat the pointers gets {@link Heap#repeatPointers(boolean)}, as spead2's
 *     user set {@code heap.repeat_pointers = True} on the generated heap;</li>
 * <li>the heaps are sent through a {@link BytesStream} with the packet size, cnts and group mode the wire
 *     shows ({@link WireCapture#send}).</li>
 * </ul>
 * A second run rebuilds every decoded array as plain nested Java lists before sending, so the bytes come from
 * {@link Item#toBuffer}'s conversion (dtype, byte order, Fortran order, records, bit-packed formats), not from
 * the wire-backed array. A value may be one spead2 sent but cannot decode again: a zero-length fixed-shape item
 * is sent as an immediate of value 0, on which spead2's own ItemGroup fails (the json's {@code update_error},
 * as in {@code edge_heaps}); ours must fail on it too, exactly in the heaps whose json has an
 * {@code update_error}, and its value is then decoded from zero bytes instead.
 *
 * <p>The cases run are those whose json says {@code sent_as_is} (the others' packets were altered after
 * sending, so no sender produced them).
 */
class ConformanceItemGroupSendTest {
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
    void itemGroupSendsTheSameBytesAsSpead2(String name) throws Exception {
        replay(name, false);
    }

    /**
     * The same with every decoded value rebuilt as a plain Java value before sending (an array as the nested
     * lists of {@link NdArray#toNested()}, a scalar as itself), as a user would set it, so that
     * {@link Item#toBuffer} converts it to the dtype, byte order and storage order rather than passing on the
     * wire-backed array it was decoded to.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void itemGroupSendsTheSameBytesFromPlainJavaValues(String name) throws Exception {
        replay(name, true);
    }

    private static void replay(String name, boolean plainValues) throws Exception {
        System.out.println("item group send case: " + name);
        byte[] expected = Conformance.bytes(name, "spead");
        JsonNode json = Conformance.json(name);
        Flavour flavour = SendConformance.senderFlavour(json);
        WireCapture capture = WireCapture.of(expected);
        Map<Long, List<Descriptor>> descriptors = SendConformance.descriptorsByCnt(name, expected);

        ItemGroup group = new ItemGroup(0, flavour);
        List<Heap> heaps = new ArrayList<>();
        int described = 0;
        int decoded = 0;
        int wireValues = 0;
        int fallbacks = 0;
        Set<Long> undecodable = new TreeSet<>();
        for (WireHeap wh : capture.heaps) {
            String where = name + " heap cnt " + wh.cnt;
            List<WireItem> items = wh.items();
            if (items.size() == 1 && items.getFirst().isStart()) {
                heaps.add(group.getStart());
                continue;
            }
            if (items.size() == 1 && items.getFirst().isStop()) {
                heaps.add(group.getEnd());
                continue;
            }
            List<Descriptor> ds = descriptors.getOrDefault(wh.cnt, List.of());
            int nextDescriptor = 0;
            for (WireItem wi : items) {
                assertThat(wi.id()).as(where + ": control item among other items").isNotEqualTo(Spead.STREAM_CTRL_ID);
                if (wi.id() == Spead.DESCRIPTOR_ID) {
                    assertThat(nextDescriptor).as(where + ": descriptors in the json").isLessThan(ds.size());
                    group.add(Item.fromDescriptor(ds.get(nextDescriptor++), flavour.bugCompat()));
                    described++;
                    continue;
                }
                wireValues++;
                Item item = group.getById(wi.id());
                assertThat(item).as(where + ": item 0x%x has no descriptor", wi.id()).isNotNull();
                RawItem raw = new RawItem(wi.id(), wi.immediate(), wi.immediateValue(), ByteBuffer.wrap(wi.bytes()));
                if (wi.immediate() && fixedByteLength(item) == 0) {
                    // spead2 sends an empty fixed-shape value as an immediate 0 and cannot decode it again
                    // (edge_heaps' update_error); the value the sender had is the one zero bytes decode to
                    assertThatThrownBy(() -> item.setFromRaw(raw)).as(where).isInstanceOf(IllegalArgumentException.class);
                    item.setFromRaw(new RawItem(wi.id(), false, 0, ByteBuffer.allocate(0)));
                    undecodable.add(wh.cnt);
                    fallbacks++;
                } else {
                    item.setFromRaw(raw);
                    decoded++;
                }
                if (plainValues && item.value() instanceof NdArray array) {
                    item.setValue(array.toNested());
                }
            }
            assertThat(nextDescriptor).as(where + ": descriptor items on the wire").isEqualTo(ds.size());
            heaps.add(group.getHeap().repeatPointers(wh.repeated()));
        }

        byte[] actual = capture.send(pool, json, heaps, false);
        assertThat(HexFormat.of().formatHex(actual)).as(name).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(described).as(name + ": descriptors").isEqualTo(capture.descriptorItems);
        assertThat(decoded).as(name + ": values decoded from the wire").isEqualTo(wireValues - fallbacks);
        Set<Long> failedInSpead2 = new TreeSet<>();
        for (JsonNode heap : json.get("heaps")) {
            if (heap.hasNonNull("update_error")) {
                failedInSpead2.add(Conformance.longValue(heap.get("cnt")));
            }
        }
        assertThat(undecodable).as(name + ": heaps with a value spead2 could not decode again")
                .isEqualTo(failedInSpead2);
    }

    /** @return the byte length of a value of a fixed-shape item, or -1 when the shape is variable */
    private static long fixedByteLength(Item item) {
        if (item.isVariableSize()) {
            return -1;
        }
        long elements = 1;
        for (long d : item.shape()) {
            elements *= d;
        }
        return (elements * item.itemsizeBits() + 7) / 8;
    }
}
