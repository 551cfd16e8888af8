package io.spead4j.recv;

import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Builds raw SPEAD packets for receive tests (SPEAD-64-40 unless told otherwise). */
final class TestPackets {
    private final int bits;
    private final long cnt;
    private long heapLength = -1;
    private long offset;
    private byte[] payload = new byte[0];
    private final List<Long> pointers = new ArrayList<>();

    private TestPackets(int bits, long cnt) {
        this.bits = bits;
        this.cnt = cnt;
    }

    static TestPackets packet(long cnt) {
        return new TestPackets(40, cnt);
    }

    static TestPackets packet(int bits, long cnt) {
        return new TestPackets(bits, cnt);
    }

    TestPackets heapLength(long value) {
        heapLength = value;
        return this;
    }

    TestPackets offset(long value) {
        offset = value;
        return this;
    }

    TestPackets payload(byte[] value) {
        payload = value;
        return this;
    }

    TestPackets payload(int length, int seed) {
        payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (seed + i);
        }
        return this;
    }

    TestPackets immediate(long id, long value) {
        pointers.add(ItemPointer.immediate(id, value, bits));
        return this;
    }

    TestPackets address(long id, long address) {
        pointers.add(ItemPointer.address(id, address, bits));
        return this;
    }

    TestPackets stop() {
        return immediate(Spead.STREAM_CTRL_ID, Spead.CTRL_STREAM_STOP);
    }

    byte[] build() {
        int n = 3 + (heapLength >= 0 ? 1 : 0) + pointers.size();
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * n + payload.length);
        b.put((byte) 0x53).put((byte) 4).put((byte) (8 - bits / 8)).put((byte) (bits / 8)).putShort((short) 0)
                .putShort((short) n);
        b.putLong(ItemPointer.immediate(Spead.HEAP_CNT_ID, cnt, bits));
        if (heapLength >= 0) {
            b.putLong(ItemPointer.immediate(Spead.HEAP_LENGTH_ID, heapLength, bits));
        }
        b.putLong(ItemPointer.immediate(Spead.PAYLOAD_OFFSET_ID, offset, bits));
        b.putLong(ItemPointer.immediate(Spead.PAYLOAD_LENGTH_ID, payload.length, bits));
        for (long p : pointers) {
            b.putLong(p);
        }
        b.put(payload);
        return b.array();
    }

    /** A single-packet heap with one addressed item 0x1000 of {@code length} bytes. */
    static byte[] singleHeap(long cnt, int length) {
        return packet(cnt).heapLength(length).address(0x1000, 0).payload(length, (int) cnt).build();
    }

    /** A single-packet stop heap (57 bytes, as spead2 sends it). */
    static byte[] stopHeap(long cnt) {
        return packet(cnt).heapLength(1).stop().address(0, 0).payload(new byte[1]).build();
    }

    static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
