package io.spead4j.send;

import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.FormatEntry;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.Json;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte identity with spead2's sender: every conformance case whose bytes spead2's sender produced unchanged
 * is rebuilt as {@link Heap}s and sent through a {@link BytesStream}; the output must equal
 * {@code NAME.spead} byte for byte.
 *
 * <p>Rebuilding: {@code NAME.spead} is decoded packet by packet; a packet with payload offset 0 starts a
 * heap, later packets join the latest heap with their cnt. Each heap gets its non-special item pointers in
 * wire order (once only if every packet repeats them, which selects {@code repeatPointers}) and its payload.
 * Descriptors are re-encoded from the raw descriptors of {@code NAME.json} (numpy-header descriptors take
 * their shape from the header, as the receiver clears it); other addressed items use the payload bytes,
 * immediates become A/8-byte immediates, STREAM_CTRL start/stop use {@link Heap#addStart()} /
 * {@link Heap#addEnd()}. Heaps whose packets interleave are sent as one {@link GroupMode#ROUND_ROBIN} group
 * ({@code serial_group}: all heaps as one {@link GroupMode#SERIAL} group); cnts that follow on from the
 * previous one use the stream's automatic cnt sequence, others are explicit. The max packet size is the
 * largest packet rounded up to a multiple of 8.
 *
 * <p>Cases skipped, because their bytes are not what a spead2 sender emitted but were altered afterwards:
 * {@link #MANGLED}.
 */
class ConformanceSendTest {
    /**
     * Cases whose packets were altered after sending, so no send stream can produce them: {@code garbage}
     * (malformed packets inserted), {@code duplicates} and {@code duplicate_heaps} (packets repeated),
     * {@code lost_packets} (packets removed), {@code out_of_order} (packets shuffled), {@code unsized_heaps}
     * and {@code unsized_rejected} (HEAP_LENGTH removed from every packet), {@code slot_eviction} (packets of
     * separately sent heaps arranged by hand as A1 B1 B2 C D1 A2 D2, an order no group mode gives).
     */
    static final Set<String> MANGLED = Set.of("garbage", "duplicates", "duplicate_heaps", "lost_packets",
            "out_of_order", "unsized_heaps", "unsized_rejected", "slot_eviction");

    /** Cases whose receiver config hides some heaps, and the case with the same bytes that shows them. */
    static final Map<String, String> SAME_BYTES = Map.of("round_robin_evict", "round_robin",
            "substreams_single", "substreams", "stop_midstream", "ignore_stop");

    private static ThreadPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ThreadPool(1);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    static List<String> cases() {
        return Conformance.names().stream().filter(n -> !MANGLED.contains(n)).toList();
    }

    @Test
    void coversEveryUnmangledCase() {
        assertThat(Conformance.names()).containsAll(MANGLED);
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(19);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sendsTheSameBytesAsSpead2(String name) throws Exception {
        byte[] expected = Conformance.bytes(name, "spead");
        Map<String, Object> json = Conformance.json(name);
        Map<String, Object> fl = Json.obj(json.get("flavour"));
        Flavour flavour = new Flavour(((Long) fl.get("heap_address_bits")).intValue(),
                ((Long) fl.get("bug_compat")).intValue());

        WireCapture capture = WireCapture.of(expected);
        Map<Long, List<Descriptor>> descriptors = descriptorsByCnt(json);
        String sibling = SAME_BYTES.get(name);
        if (sibling != null) {
            // this case's receiver drops some heaps; the case with the same bytes delivers their descriptors
            assertThat(Conformance.bytes(sibling, "spead")).isEqualTo(expected);
            descriptorsByCnt(Conformance.json(sibling)).forEach(descriptors::putIfAbsent);
        }
        int maxHeaps = Math.max(4, capture.heaps.size());
        StreamConfig config = StreamConfig.DEFAULT.withMaxPacketSize((capture.maxPacket + 7) & ~7)
                .withMaxHeaps(maxHeaps);
        int descriptorsEncoded = 0;
        try (BytesStream stream = new BytesStream(pool, config)) {
            List<HeapReference> refs = new ArrayList<>();
            long expectedCnt = capture.heaps.getFirst().cnt;
            stream.setCntSequence(expectedCnt, 1);
            for (WireHeap wh : capture.heaps) {
                List<Descriptor> ds = descriptors.remove(wh.cnt);
                Heap heap = wh.rebuild(flavour, ds);
                if (ds != null) {
                    descriptorsEncoded += ds.size();
                }
                long cnt = -1;
                if (wh.cnt == (expectedCnt & flavour.addressMask())) {
                    expectedCnt++;
                } else {
                    cnt = wh.cnt;
                }
                refs.add(new HeapReference(heap, cnt, 0));
            }
            if (name.equals("serial_group")) {
                stream.sendHeaps(refs, GroupMode.SERIAL);
            } else {
                for (List<Integer> group : capture.groups()) {
                    if (group.size() == 1) {
                        stream.sendHeap(refs.get(group.getFirst()));
                    } else {
                        stream.sendHeaps(group.stream().map(refs::get).toList(), GroupMode.ROUND_ROBIN);
                    }
                }
            }
            stream.flush();
            byte[] actual = stream.getValue();
            assertThat(HexFormat.of().formatHex(actual)).isEqualTo(HexFormat.of().formatHex(expected));
        }
        // every descriptor went through DescriptorEncoder, none through the raw-bytes fallback
        assertThat(descriptorsEncoded).isEqualTo(capture.descriptorItems);
    }

    /** Raw descriptors of every complete heap of the case's json, by heap cnt. */
    private static Map<Long, List<Descriptor>> descriptorsByCnt(Map<String, Object> json) {
        Map<Long, List<Descriptor>> out = new LinkedHashMap<>();
        for (Object h : Json.arr(json.get("heaps"))) {
            Map<String, Object> heap = Json.obj(h);
            Object ds = heap.get("descriptors");
            if (ds == null) {
                continue;
            }
            List<Descriptor> list = new ArrayList<>();
            for (Object d : Json.arr(ds)) {
                list.add(descriptor(Json.obj(d)));
            }
            out.putIfAbsent((Long) heap.get("cnt"), list);
        }
        return out;
    }

    private static final Pattern NUMPY_SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

    static Descriptor descriptor(Map<String, Object> d) {
        String numpy = (String) d.get("numpy_header");
        List<Long> shape = new ArrayList<>();
        if (numpy.isEmpty()) {
            for (Object s : Json.arr(d.get("shape"))) {
                shape.add((Long) s);
            }
        } else {
            // the receiver drops the shape of numpy descriptors; the sender wrote the item's shape
            Matcher m = NUMPY_SHAPE.matcher(numpy);
            assertThat(m.find()).as("shape in %s", numpy).isTrue();
            for (String s : m.group(1).split(",")) {
                if (!s.isBlank()) {
                    shape.add(Long.parseLong(s.trim()));
                }
            }
        }
        List<FormatEntry> format = new ArrayList<>();
        for (Object f : Json.arr(d.get("format"))) {
            List<Object> entry = Json.arr(f);
            format.add(new FormatEntry(((String) entry.get(0)).charAt(0), (Long) entry.get(1)));
        }
        return new Descriptor((Long) d.get("id"), (String) d.get("name"), (String) d.get("description"),
                shape, format, numpy);
    }

    /** One heap as seen on the wire. */
    static final class WireHeap {
        final long cnt;
        final long length;
        final byte[] payload;
        final List<long[]> packetPointers = new ArrayList<>();
        int firstPacket;
        int lastPacket;
        int bits;

        WireHeap(long cnt, long length, int firstPacket) {
            this.cnt = cnt;
            this.length = length;
            this.payload = new byte[(int) length];
            this.firstPacket = firstPacket;
            this.lastPacket = firstPacket;
        }

        boolean repeated() {
            if (packetPointers.size() < 2 || packetPointers.getFirst().length == 0) {
                return false;
            }
            for (long[] p : packetPointers) {
                if (!Arrays.equals(p, packetPointers.getFirst())) {
                    return false;
                }
            }
            return true;
        }

        long[] pointers() {
            if (repeated()) {
                return packetPointers.getFirst();
            }
            return packetPointers.stream().flatMapToLong(Arrays::stream).toArray();
        }

        Heap rebuild(Flavour flavour, List<Descriptor> descriptors) {
            Heap heap = new Heap(flavour).repeatPointers(repeated());
            long[] pointers = pointers();
            long end = length;
            for (long p : pointers) {
                if (!ItemPointer.isImmediate(p) && ItemPointer.id(p, bits) == Spead.NULL_ID) {
                    end = ItemPointer.value(p, bits);
                }
            }
            int nextDescriptor = 0;
            for (int i = 0; i < pointers.length; i++) {
                long p = pointers[i];
                long id = ItemPointer.id(p, bits);
                long value = ItemPointer.value(p, bits);
                if (ItemPointer.isImmediate(p)) {
                    if (id == Spead.STREAM_CTRL_ID && value == Spead.CTRL_STREAM_START) {
                        heap.addStart();
                    } else if (id == Spead.STREAM_CTRL_ID && value == Spead.CTRL_STREAM_STOP) {
                        heap.addEnd();
                    } else {
                        byte[] bytes = new byte[bits / 8];
                        for (int b = bytes.length - 1; b >= 0; b--) {
                            bytes[b] = (byte) value;
                            value >>>= 8;
                        }
                        heap.addItem(id, bytes, true);
                    }
                    continue;
                }
                if (id == Spead.NULL_ID) {
                    continue;
                }
                long next = end;
                for (int j = i + 1; j < pointers.length; j++) {
                    if (!ItemPointer.isImmediate(pointers[j])) {
                        next = ItemPointer.value(pointers[j], bits);
                        break;
                    }
                }
                byte[] bytes = Arrays.copyOfRange(payload, (int) value, (int) next);
                if (id == Spead.DESCRIPTOR_ID && descriptors != null && nextDescriptor < descriptors.size()) {
                    heap.addDescriptor(descriptors.get(nextDescriptor++));
                } else {
                    heap.addItem(id, bytes, false);
                }
            }
            return heap;
        }
    }

    /** Every heap of a capture, in order of first packet. */
    static final class WireCapture {
        final List<WireHeap> heaps = new ArrayList<>();
        int maxPacket;
        int descriptorItems;

        static WireCapture of(byte[] bytes) {
            WireCapture c = new WireCapture();
            MemorySegment seg = MemorySegment.ofArray(bytes);
            PacketDecoder dec = new PacketDecoder();
            long off = 0;
            int index = 0;
            while (off < bytes.length) {
                long size = dec.decode(seg, off, bytes.length - off);
                assertThat(size).as("packet %d at %d: %s", index, off, dec.status()).isPositive();
                c.maxPacket = (int) Math.max(c.maxPacket, size);
                WireHeap h = null;
                if (dec.payloadOffset() != 0) {
                    for (int i = c.heaps.size() - 1; i >= 0; i--) {
                        if (c.heaps.get(i).cnt == dec.heapCnt()) {
                            h = c.heaps.get(i);
                            break;
                        }
                    }
                    assertThat(h).as("heap of packet %d", index).isNotNull();
                } else {
                    h = new WireHeap(dec.heapCnt(), dec.heapLength(), index);
                    h.bits = dec.heapAddressBits();
                    c.heaps.add(h);
                }
                h.lastPacket = index;
                assertThat(dec.numItems()).isGreaterThanOrEqualTo(4);
                long[] pointers = new long[dec.numItems() - 4];
                for (int i = 0; i < pointers.length; i++) {
                    pointers[i] = dec.rawPointer(i + 4);
                }
                h.packetPointers.add(pointers);
                MemorySegment.copy(seg, dec.payloadStart(), MemorySegment.ofArray(h.payload), dec.payloadOffset(),
                        dec.payloadLength());
                off += size;
                index++;
            }
            for (WireHeap h : c.heaps) {
                for (long p : h.pointers()) {
                    if (!ItemPointer.isImmediate(p) && ItemPointer.id(p, h.bits) == Spead.DESCRIPTOR_ID) {
                        c.descriptorItems++;
                    }
                }
            }
            return c;
        }

        /** Heaps whose packet ranges overlap, merged, as lists of heap indices. */
        List<List<Integer>> groups() {
            List<List<Integer>> out = new ArrayList<>();
            int groupEnd = -1;
            for (int i = 0; i < heaps.size(); i++) {
                WireHeap h = heaps.get(i);
                if (out.isEmpty() || h.firstPacket > groupEnd) {
                    out.add(new ArrayList<>());
                }
                out.getLast().add(i);
                groupEnd = Math.max(groupEnd, h.lastPacket);
            }
            return out;
        }
    }
}
