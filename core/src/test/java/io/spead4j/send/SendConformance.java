package io.spead4j.send;

import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.FormatEntry;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the send-side conformance tests share: which cases spead2's sender produced unchanged (the json's
 * {@code sent_as_is}), the heaps of a {@code NAME.spead} as they appear on the wire, the raw descriptors of the
 * case's json, and how the heaps were sent: packet size and {@code max_heaps} from the json's
 * {@code send_config}, cnts and group modes inferred from the wire.
 */
final class SendConformance {
    private static final Pattern NUMPY_SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

    private SendConformance() {
    }

    /** @return every case whose bytes a spead2 sender emitted unchanged ({@code sent_as_is}) */
    static List<String> sentAsIs() {
        return Conformance.sentAsIs();
    }

    /** @return the sender's flavour of a case (address bits and bug_compat of its json's {@code flavour}) */
    static Flavour senderFlavour(JsonNode json) {
        JsonNode fl = json.get("flavour");
        return new Flavour((int) Conformance.longValue(fl.get("heap_address_bits")),
                (int) Conformance.longValue(fl.get("bug_compat")));
    }

    /**
     * The spead2 send config of a case ({@code send_config}: {@code max_packet_size}, {@code max_heaps}).
     *
     * @param json the case's json
     * @return the config
     */
    static StreamConfig sendConfig(JsonNode json) {
        JsonNode send = json.get("send_config");
        assertThat(send.isObject()).as("send_config of a sent_as_is case").isTrue();
        return StreamConfig.DEFAULT.withMaxPacketSize((int) Conformance.longValue(send.get("max_packet_size")))
                .withMaxHeaps((int) Conformance.longValue(send.get("max_heaps")));
    }

    /**
     * Raw descriptors of every complete heap of the case, by heap cnt, in item order (which for descriptors,
     * all addressed, is wire order); where the case's receiver hid some heaps (its recv_config evicted or
     * stopped before them), completed from the other cases with exactly the same bytes.
     *
     * @param name case name
     * @param expected the case's bytes
     * @return descriptors by cnt
     */
    static Map<Long, List<Descriptor>> descriptorsByCnt(String name, byte[] expected) {
        Map<Long, List<Descriptor>> descriptors = descriptorsByCnt(Conformance.json(name));
        for (String other : sameBytes(name, expected)) {
            descriptorsByCnt(Conformance.json(other)).forEach(descriptors::putIfAbsent);
        }
        return descriptors;
    }

    /** @return the other cases whose {@code .spead} is exactly {@code bytes} */
    private static List<String> sameBytes(String name, byte[] bytes) {
        List<String> out = new ArrayList<>();
        for (String other : Conformance.names()) {
            try {
                if (!other.equals(name) && Files.size(Conformance.dir().resolve(other + ".spead")) == bytes.length
                        && Arrays.equals(Conformance.bytes(other, "spead"), bytes)) {
                    out.add(other);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Map<Long, List<Descriptor>> descriptorsByCnt(JsonNode json) {
        Map<Long, List<Descriptor>> out = new LinkedHashMap<>();
        for (JsonNode heap : json.get("heaps")) {
            JsonNode ds = heap.path("descriptors");
            if (!ds.isArray()) {
                continue;
            }
            List<Descriptor> list = new ArrayList<>();
            for (JsonNode d : ds) {
                list.add(descriptor(d));
            }
            out.putIfAbsent(Conformance.longValue(heap.get("cnt")), list);
        }
        return out;
    }

    /**
     * A raw descriptor of the json as the sender wrote it: a numpy-header descriptor gets back the shape the
     * receiver dropped, taken from the header.
     */
    static Descriptor descriptor(JsonNode d) {
        String numpy = latin1(d.get("numpy_header"));
        List<Long> shape = new ArrayList<>();
        if (numpy.isEmpty()) {
            shape.addAll(Conformance.longs(d.get("shape")));
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
        for (JsonNode f : d.get("format")) {
            format.add(new FormatEntry(f.get(0).textValue().charAt(0), Conformance.longValue(f.get(1))));
        }
        return new Descriptor(Conformance.longValue(d.get("id")), latin1(d.get("name")), latin1(d.get("description")),
                shape, format, numpy);
    }

    /** @return the bytes of a json name/description as one char per byte, as the wire carries them */
    private static String latin1(JsonNode text) {
        return new String(Conformance.textBytes(text), StandardCharsets.ISO_8859_1);
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
         * {@link BytesStream} with the case's {@code send_config} (max packet size, max heaps): cnts that follow
         * on from the previous one use the automatic cnt sequence (started at the first heap's cnt), others are
         * explicit; heaps whose packets interleave go as one {@link GroupMode#ROUND_ROBIN} group. Heaps that do
         * not interleave are sent one by one, or, with {@code serialGroups}, each run of them as
         * {@link GroupMode#SERIAL} groups of at most {@code max_heaps} heaps: both give the same bytes.
         *
         * @param pool thread pool of the stream
         * @param json the case's json
         * @param rebuilt the heaps to send
         * @param serialGroups whether to send the heaps that do not interleave as SERIAL groups
         * @return the bytes written
         */
        byte[] send(ThreadPool pool, JsonNode json, List<Heap> rebuilt, boolean serialGroups) throws IOException {
            assertThat(rebuilt).hasSameSizeAs(heaps);
            Flavour flavour = senderFlavour(json);
            StreamConfig config = sendConfig(json);
            assertThat(maxPacket).as("largest packet within send_config's max_packet_size")
                    .isLessThanOrEqualTo(config.maxPacketSize());
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
                List<HeapReference> serial = new ArrayList<>();
                for (List<Integer> group : groups()) {
                    if (group.size() == 1 && serialGroups) {
                        serial.add(refs.get(group.getFirst()));
                        if (serial.size() == config.maxHeaps()) {
                            stream.sendHeaps(List.copyOf(serial), GroupMode.SERIAL);
                            serial.clear();
                        }
                        continue;
                    }
                    if (!serial.isEmpty()) {
                        stream.sendHeaps(List.copyOf(serial), GroupMode.SERIAL);
                        serial.clear();
                    }
                    if (group.size() == 1) {
                        stream.sendHeap(refs.get(group.getFirst()));
                    } else {
                        stream.sendHeaps(group.stream().map(refs::get).toList(), GroupMode.ROUND_ROBIN);
                    }
                }
                if (!serial.isEmpty()) {
                    stream.sendHeaps(List.copyOf(serial), GroupMode.SERIAL);
                }
                stream.flush();
                return stream.getValue();
            }
        }
    }
}
