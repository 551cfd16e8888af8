package io.spead4j.tools;

import io.spead4j.RawItem;
import io.spead4j.recv.HeapBase;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The heaps of a soak run ({@code spead4j bench soak}): each carries its sequence number and the CRC-32C of its
 * payload as immediate items, and a payload whose content follows from the sequence number (its first 8 bytes
 * are the sequence number itself, so a payload that landed in another heap is caught even with a matching
 * checksum).
 */
final class SoakHeaps {
    /** Item id of the sequence number (an immediate). */
    static final long SEQUENCE_ID = 0x5000;
    /** Item id of the payload's CRC-32C (an immediate). */
    static final long CHECKSUM_ID = 0x5001;
    /** Item id of the payload. */
    static final long PAYLOAD_ID = 0x5002;
    /** Spreads the sequence number over the payload's words. */
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private SoakHeaps() {
    }

    /**
     * Fills a payload with the content of heap {@code sequence}.
     *
     * @param payload the payload buffer (any size)
     * @param sequence the heap's sequence number
     */
    static void fill(byte[] payload, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.BIG_ENDIAN);
        int words = payload.length / Long.BYTES;
        for (int i = 0; i < words; i++) {
            b.putLong(i == 0 ? sequence : sequence * MIX + i);
        }
        for (int i = words * Long.BYTES; i < payload.length; i++) {
            payload[i] = (byte) (sequence + i);
        }
    }

    /**
     * The checksum a heap carries for its payload.
     *
     * @param payload the payload bytes (position to limit)
     * @return the CRC-32C
     */
    static long checksum(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return crc.getValue();
    }

    /**
     * The heap to send for a payload already filled by {@link #fill}.
     *
     * @param sequence the sequence number
     * @param payload the payload (referenced, not copied: keep it unchanged until the heap has been sent)
     * @param checksum the checksum to carry (normally {@link #checksum} of the payload)
     * @return the heap
     */
    static io.spead4j.send.Heap heap(long sequence, byte[] payload, long checksum) {
        return new io.spead4j.send.Heap()
                .addItem(SEQUENCE_ID, sequence)
                .addItem(CHECKSUM_ID, checksum)
                .addItem(PAYLOAD_ID, payload, false);
    }

    /**
     * What a received heap holds, checked.
     *
     * @param sequence its sequence number, or -1 if it has none
     * @param problem null if the heap is intact, else what is wrong with it
     */
    record Check(long sequence, String problem) {
        /** @return whether the heap is intact */
        boolean intact() {
            return problem == null;
        }
    }

    /**
     * Checks a received heap: a sequence number, a checksum, and a payload of the expected size whose CRC-32C
     * is that checksum and whose first word is the sequence number.
     *
     * @param heap the heap
     * @param payloadSize the payload size sent
     * @return the sequence number and what is wrong, if anything
     */
    static Check verify(HeapBase heap, int payloadSize) {
        RawItem sequenceItem = null;
        RawItem checksumItem = null;
        RawItem payloadItem = null;
        for (RawItem item : heap.items()) {
            if (item.id() == SEQUENCE_ID) {
                sequenceItem = item;
            } else if (item.id() == CHECKSUM_ID) {
                checksumItem = item;
            } else if (item.id() == PAYLOAD_ID) {
                payloadItem = item;
            }
        }
        if (sequenceItem == null || !sequenceItem.immediate()) {
            return new Check(-1, "heap " + heap.cnt() + " has no sequence number");
        }
        long sequence = sequenceItem.immediateValue();
        if (checksumItem == null || !checksumItem.immediate()) {
            return new Check(sequence, "heap " + sequence + " has no checksum");
        }
        if (payloadItem == null || payloadItem.length() != payloadSize) {
            return new Check(sequence, "heap " + sequence + " has a payload of "
                    + (payloadItem == null ? "no" : payloadItem.length()) + " bytes, not " + payloadSize);
        }
        ByteBuffer payload = payloadItem.value();
        long crc = checksum(payload);
        if (crc != checksumItem.immediateValue()) {
            return new Check(sequence, String.format(java.util.Locale.ROOT,
                    "heap %d: the payload's CRC-32C is %08x, the heap says %08x", sequence, crc,
                    checksumItem.immediateValue()));
        }
        if (payloadSize >= Long.BYTES && payload.getLong(0) != sequence) {
            return new Check(sequence, "heap " + sequence + " carries the payload of heap " + payload.getLong(0));
        }
        return new Check(sequence, null);
    }
}
