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

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the send-side conformance tests share: which cases spead2's sender produced unchanged, the heaps of a
 * {@code NAME.spead} as they appear on the wire, the raw descriptors of the case's json, and how the heaps
 * were sent (packet size, cnts, group modes), inferred from the wire.
 */
final class SendConformance {
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

    private static final Pattern NUMPY_SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

    private SendConformance() {
    }

    /** @return every case whose bytes a spead2 sender emitted unchanged */
    static List<String> unmangled() {
        return Conformance.names().stream().filter(n -> !MANGLED.contains(n)).toList();
    }

    /** @return the sender's flavour of a case (address bits and bug_compat of its json's {@code flavour}) */
    static Flavour senderFlavour(Map<String, Object> json) {
        Map<String, Object> fl = Json.obj(json.get("flavour"));
        return new Flavour(((Long) fl.get("heap_address_bits")).intValue(), ((Long) fl.get("bug_compat")).intValue());
    }

    /**
     * Raw descriptors of every complete heap of the case, by heap cnt, in item order (which for descriptors,
     * all addressed, is wire order); for a case whose receiver hides heaps, completed from the case with the
     * same bytes.
     *
     * @param name case name
     * @param expected the case's bytes, to check the sibling's are the same
     * @return descriptors by cnt
     */
    static Map<Long, List<Descriptor>> descriptorsByCnt(String name, byte[] expected) {
        Map<Long, List<Descriptor>> descriptors = descriptorsByCnt(Conformance.json(name));
        String sibling = SAME_BYTES.get(name);
        if (sibling != null) {
            // this case's receiver drops some heaps; the case with the same bytes delivers their descriptors
            assertThat(Conformance.bytes(sibling, "spead")).isEqualTo(expected);
            descriptorsByCnt(Conformance.json(sibling)).forEach(descriptors::putIfAbsent);
        }
        return descriptors;
    }

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

    /**
     * A raw descriptor of the json as the sender wrote it: a numpy-header descriptor gets back the shape the
     * receiver dropped, taken from the header.
     */
    static Descriptor descriptor(Map<String, Object> d) {
        String numpy = (String) d.get("numpy_header");
        List<Long> shape = new ArrayList<>();
        if (numpy.isEmpty()) {
            for (Object s : Json.arr(d.get("shape"))) {
                shape.add((Long) s);
            }
        } else {
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

    /**
     * One non-special item pointer of a heap on the wire, with its value.
     *
     * @param id item id
     * @param immediate whether the pointer is immediate
     * @param immediateValue the immediate's value (0 for addressed items)
     * @param bytes an immediate's A/8 big-endian bytes, or an addressed item's payload bytes (up to the next
     *     addressed pointer, the NULL pointer or the heap's end)
     */
    record WireItem(long id, boolean immediate, long immediateValue, byte[] bytes) {
        boolean isStart() {
            return immediate && id == Spead.STREAM_CTRL_ID && immediateValue == Spead.CTRL_STREAM_START;
        }

        boolean isStop() {
            return immediate && id == Spead.STREAM_CTRL_ID && immediateValue == Spead.CTRL_STREAM_STOP;
        }
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

        /** @return whether every packet carries the same non-empty pointer list (repeat_pointers) */
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

        /** @return the non-special pointers in wire order, once each */
        long[] pointers() {
            if (repeated()) {
                return packetPointers.getFirst();
            }
            return packetPointers.stream().flatMapToLong(Arrays::stream).toArray();
        }

        /** @return the items in wire order, without NULL pointers */
        List<WireItem> items() {
            long[] pointers = pointers();
            long end = length;
            for (long p : pointers) {
                if (!ItemPointer.isImmediate(p) && ItemPointer.id(p, bits) == Spead.NULL_ID) {
                    end = ItemPointer.value(p, bits);
                }
            }
            List<WireItem> out = new ArrayList<>();
            for (int i = 0; i < pointers.length; i++) {
                long p = pointers[i];
                long id = ItemPointer.id(p, bits);
                long value = ItemPointer.value(p, bits);
                if (ItemPointer.isImmediate(p)) {
                    byte[] bytes = new byte[bits / 8];
                    long v = value;
                    for (int b = bytes.length - 1; b >= 0; b--) {
                        bytes[b] = (byte) v;
                        v >>>= 8;
                    }
                    out.add(new WireItem(id, true, value, bytes));
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
                out.add(new WireItem(id, false, 0, Arrays.copyOfRange(payload, (int) value, (int) next)));
            }
            return out;
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

        /**
         * Sends {@code rebuilt} (one heap per captured heap, same order) as the original sender did, through a
         * {@link BytesStream}: max packet size = the largest packet rounded up to a multiple of 8; cnts that
         * follow on from the previous one use the automatic cnt sequence (started at the first heap's cnt),
         * others are explicit; heaps whose packets interleave go as one {@link GroupMode#ROUND_ROBIN} group,
         * and {@code serial_group} sends all heaps as one {@link GroupMode#SERIAL} group.
         *
         * @param pool thread pool of the stream
         * @param name case name
         * @param flavour the sender's flavour
         * @param rebuilt the heaps to send
         * @return the bytes written
         */
        byte[] send(ThreadPool pool, String name, Flavour flavour, List<Heap> rebuilt) throws IOException {
            assertThat(rebuilt).hasSameSizeAs(heaps);
            int maxHeaps = Math.max(4, heaps.size());
            StreamConfig config = StreamConfig.DEFAULT.withMaxPacketSize((maxPacket + 7) & ~7).withMaxHeaps(maxHeaps);
            try (BytesStream stream = new BytesStream(pool, config)) {
                List<HeapReference> refs = new ArrayList<>();
                long expectedCnt = heaps.getFirst().cnt;
                stream.setCntSequence(expectedCnt, 1);
                for (int i = 0; i < heaps.size(); i++) {
                    WireHeap wh = heaps.get(i);
                    long cnt = -1;
                    if (wh.cnt == (expectedCnt & flavour.addressMask())) {
                        expectedCnt++;
                    } else {
                        cnt = wh.cnt;
                    }
                    refs.add(new HeapReference(rebuilt.get(i), cnt, 0));
                }
                if (name.equals("serial_group")) {
                    stream.sendHeaps(refs, GroupMode.SERIAL);
                } else {
                    for (List<Integer> group : groups()) {
                        if (group.size() == 1) {
                            stream.sendHeap(refs.get(group.getFirst()));
                        } else {
                            stream.sendHeaps(group.stream().map(refs::get).toList(), GroupMode.ROUND_ROBIN);
                        }
                    }
                }
                stream.flush();
                return stream.getValue();
            }
        }
    }
}
