package io.spead4j;

import io.spead4j.testing.Conformance;
import io.spead4j.testing.Json;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link DecodedHeap}s straight from a conformance case's {@code NAME.json}: items from their {@code hex}
 * (or, for values summarised by {@code sha256}, the bytes found in {@code NAME.spead} and checked against the
 * digest), descriptors from the raw {@code descriptors}.
 */
final class ConformanceHeaps {
    /** A heap as the json describes it. */
    record JsonHeap(long cnt, Flavour flavour, List<RawItem> items, List<Descriptor> descriptors,
                    Map<String, Object> json) implements DecodedHeap {
    }

    private ConformanceHeaps() {
    }

    /** @return the flavour a receiver of the case uses: the sender's address width, the receiver's bug_compat */
    static Flavour flavour(Map<String, Object> json) {
        Map<String, Object> f = Json.obj(json.get("flavour"));
        Map<String, Object> recv = json.get("recv_config") == null ? Map.of() : Json.obj(json.get("recv_config"));
        long bugCompat = recv.get("bug_compat") instanceof Long l ? l : 0;
        return new Flavour(((Long) f.get("heap_address_bits")).intValue(), (int) bugCompat);
    }

    /** @return every complete heap of the case, in order @param name case name */
    static List<JsonHeap> completeHeaps(String name) {
        Map<String, Object> json = Conformance.json(name);
        Flavour flavour = flavour(json);
        byte[] spead = null;
        List<JsonHeap> out = new ArrayList<>();
        for (Object h : Json.arr(json.get("heaps"))) {
            Map<String, Object> heap = Json.obj(h);
            if (!Boolean.TRUE.equals(heap.get("complete"))) {
                continue;
            }
            long cnt = (Long) heap.get("cnt");
            List<RawItem> items = new ArrayList<>();
            for (Object i : Json.arr(heap.get("items"))) {
                Map<String, Object> item = Json.obj(i);
                long id = (Long) item.get("id");
                boolean immediate = (Boolean) item.get("immediate");
                int length = ((Long) item.get("length")).intValue();
                byte[] bytes;
                if (item.containsKey("hex")) {
                    bytes = Conformance.hex((String) item.get("hex"));
                } else {
                    if (spead == null) {
                        spead = Conformance.bytes(name, "spead");
                    }
                    bytes = addressedValue(spead, cnt, id, length);
                    if (!sha256(bytes).equals(item.get("sha256"))) {
                        throw new IllegalStateException(name + ": bytes of item 0x" + Long.toHexString(id)
                                + " in heap " + cnt + " do not match the json's sha256");
                    }
                }
                if (bytes.length != length) {
                    throw new IllegalStateException(name + ": item length mismatch in heap " + cnt);
                }
                long immediateValue = 0;
                if (immediate) {
                    for (byte b : bytes) {
                        immediateValue = (immediateValue << 8) | (b & 0xff);
                    }
                }
                items.add(new RawItem(id, immediate, immediateValue, ByteBuffer.wrap(bytes)));
            }
            List<Descriptor> descriptors = new ArrayList<>();
            Object ds = heap.get("descriptors");
            if (ds != null) {
                for (Object d : Json.arr(ds)) {
                    descriptors.add(descriptor(Json.obj(d)));
                }
            }
            out.add(new JsonHeap(cnt, flavour, List.copyOf(items), List.copyOf(descriptors), heap));
        }
        return out;
    }

    static Descriptor descriptor(Map<String, Object> d) {
        List<Long> shape = new ArrayList<>();
        for (Object s : Json.arr(d.get("shape"))) {
            shape.add((Long) s);
        }
        List<FormatEntry> format = new ArrayList<>();
        for (Object f : Json.arr(d.get("format"))) {
            List<Object> pair = Json.arr(f);
            format.add(new FormatEntry(((String) pair.get(0)).charAt(0), (Long) pair.get(1)));
        }
        return new Descriptor((Long) d.get("id"), (String) d.get("name"), (String) d.get("description"), shape,
                format, (String) d.get("numpy_header"));
    }

    /**
     * Finds the bytes of an addressed item: assembles the payload of the heap with that cnt from the packets of
     * {@code NAME.spead} and slices the item at the address its pointer gives.
     */
    static byte[] addressedValue(byte[] spead, long cnt, long id, int length) {
        MemorySegment segment = MemorySegment.ofArray(spead);
        PacketDecoder decoder = new PacketDecoder();
        byte[] payload = null;
        long address = -1;
        long offset = 0;
        while (offset < spead.length) {
            long size = decoder.decode(segment, offset, spead.length - offset);
            if (size == 0) {
                break;
            }
            if (decoder.heapCnt() == cnt && decoder.heapLength() > 0) {
                if (payload == null) {
                    payload = new byte[(int) decoder.heapLength()];
                }
                MemorySegment.copy(decoder.payload(), 0, MemorySegment.ofArray(payload), decoder.payloadOffset(),
                        decoder.payloadLength());
                for (int i = 0; i < decoder.pointerCount(); i++) {
                    long p = decoder.pointer(i);
                    if (!ItemPointer.isImmediate(p) && ItemPointer.id(p, decoder.heapAddressBits()) == id) {
                        address = ItemPointer.value(p, decoder.heapAddressBits());
                    }
                }
            }
            offset += size;
        }
        if (payload == null || address < 0 || address + length > payload.length) {
            throw new IllegalStateException("item 0x" + Long.toHexString(id) + " of heap " + cnt + " not found");
        }
        byte[] out = new byte[length];
        System.arraycopy(payload, (int) address, out, 0, length);
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
