package io.spead4j;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@link DecodedHeap}s straight from a conformance case's {@code NAME.json}: items from their {@code hex}
 * (or, for values summarised by {@code sha256}, the bytes found in {@code NAME.spead} and checked against the
 * digest), descriptors from the raw {@code descriptors}.
 */
final class ConformanceHeaps {
    /** A heap as the json describes it. */
    record JsonHeap(long cnt, Flavour flavour, List<RawItem> items, List<Descriptor> descriptors,
                    JsonNode json) implements DecodedHeap {
    }

    private ConformanceHeaps() {
    }

    /** @return the flavour a receiver of the case uses: the sender's address width, the receiver's bug_compat */
    static Flavour flavour(JsonNode json) {
        JsonNode bugCompat = json.path("recv_config").path("bug_compat");
        return new Flavour((int) Conformance.longValue(json.get("flavour").get("heap_address_bits")),
                bugCompat.isMissingNode() ? 0 : (int) Conformance.longValue(bugCompat));
    }

    /** @return every complete heap of the case, in order @param name case name */
    static List<JsonHeap> completeHeaps(String name) {
        JsonNode json = Conformance.json(name);
        Flavour flavour = flavour(json);
        byte[] spead = null;
        List<JsonHeap> out = new ArrayList<>();
        for (JsonNode heap : json.get("heaps")) {
            if (!heap.get("complete").booleanValue()) {
                continue;
            }
            long cnt = Conformance.longValue(heap.get("cnt"));
            List<RawItem> items = new ArrayList<>();
            for (JsonNode item : heap.get("items")) {
                long id = Conformance.longValue(item.get("id"));
                boolean immediate = item.get("immediate").booleanValue();
                int length = (int) Conformance.longValue(item.get("length"));
                byte[] bytes;
                if (item.has("hex")) {
                    bytes = Conformance.hex(item.get("hex").textValue());
                } else {
                    if (spead == null) {
                        spead = Conformance.bytes(name, "spead");
                    }
                    bytes = addressedValue(spead, cnt, id, length);
                    if (!sha256(bytes).equals(item.get("sha256").textValue())) {
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
            for (JsonNode d : heap.path("descriptors")) {
                descriptors.add(descriptor(d));
            }
            out.add(new JsonHeap(cnt, flavour, List.copyOf(items), List.copyOf(descriptors), heap));
        }
        return out;
    }

    /**
     * A raw descriptor of the json as a receiver holds it: names, descriptions and numpy headers carry their
     * bytes one char per byte (ISO-8859-1), as spead4j's descriptor parser gives them.
     */
    static Descriptor descriptor(JsonNode d) {
        List<FormatEntry> format = new ArrayList<>();
        for (JsonNode f : d.get("format")) {
            format.add(new FormatEntry(f.get(0).textValue().charAt(0), Conformance.longValue(f.get(1))));
        }
        return new Descriptor(Conformance.longValue(d.get("id")), latin1(d.get("name")), latin1(d.get("description")),
                Conformance.longs(d.get("shape")), format, latin1(d.get("numpy_header")));
    }

    /** @return the bytes of a json name/description as one char per byte */
    static String latin1(JsonNode text) {
        return new String(Conformance.textBytes(text), StandardCharsets.ISO_8859_1);
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
