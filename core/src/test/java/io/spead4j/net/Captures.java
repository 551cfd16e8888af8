package io.spead4j.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: read whole captures into lists, write captures to memory, build pcapng blocks by hand. */
final class Captures {
    private Captures() {
    }

    /** One frame as read, copied out of the reader's buffer. */
    record Captured(byte[] data, long timestampNanos, int originalLength, int linkType, int interfaceId) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Captured c && java.util.Arrays.equals(data, c.data)
                    && timestampNanos == c.timestampNanos && originalLength == c.originalLength
                    && linkType == c.linkType && interfaceId == c.interfaceId;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(data) * 31 + Long.hashCode(timestampNanos);
        }

        @Override
        public String toString() {
            return "Captured[" + data.length + " bytes, ts=" + timestampNanos + ", len=" + originalLength
                    + ", linktype=" + linkType + ", if=" + interfaceId + "]";
        }
    }

    /** Reads every frame of an in-memory capture with the given buffer size. */
    static List<Captured> readAll(byte[] file, int bufferSize) {
        try (PcapReader reader = PcapReader.open(Channels.newChannel(new ByteArrayInputStream(file)), "test",
                bufferSize)) {
            return readAll(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the remaining frames of a reader. */
    static List<Captured> readAll(PcapReader reader) throws IOException {
        List<Captured> frames = new ArrayList<>();
        PcapFrame frame = new PcapFrame();
        while (reader.next(frame)) {
            frames.add(new Captured(frame.toByteArray(), frame.timestampNanos(), frame.originalLength(),
                    frame.linkType(), frame.interfaceId()));
        }
        return frames;
    }

    /** Opens a reader over bytes. */
    static PcapReader open(byte[] file) throws IOException {
        return PcapReader.open(Channels.newChannel(new ByteArrayInputStream(file)), "test", 4096);
    }

    /** A channel collecting what is written. */
    static final class Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final WritableByteChannel channel = Channels.newChannel(bytes);

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Builds raw pcapng blocks in one byte order. */
    static final class Blocks {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        Blocks section(ByteOrder sectionOrder) {
            order = sectionOrder;
            ByteBuffer body = ByteBuffer.allocate(16).order(order);
            body.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1L);
            return block(0x0a0d0d0a, body.array());
        }

        /** Interface block with options given as (code, value) pairs. */
        Blocks iface(int linkType, int snaplen, Object... options) {
            ByteBuffer body = ByteBuffer.allocate(256).order(order);
            body.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
            for (int i = 0; i < options.length; i += 2) {
                int code = (Integer) options[i];
                byte[] value = (byte[]) options[i + 1];
                body.putShort((short) code).putShort((short) value.length).put(value);
                while ((body.position() & 3) != 0) {
                    body.put((byte) 0);
                }
            }
            if (options.length > 0) {
                body.putInt(0);
            }
            return block(1, slice(body));
        }

        Blocks epb(int iface, long units, byte[] data, int originalLength) {
            ByteBuffer body = ByteBuffer.allocate(20 + pad(data.length)).order(order);
            body.putInt(iface).putInt((int) (units >>> 32)).putInt((int) units).putInt(data.length)
                    .putInt(originalLength).put(data);
            return block(6, body.array());
        }

        Blocks opb(int iface, long units, byte[] data) {
            ByteBuffer body = ByteBuffer.allocate(20 + pad(data.length)).order(order);
            body.putShort((short) iface).putShort((short) 0).putInt((int) (units >>> 32)).putInt((int) units)
                    .putInt(data.length).putInt(data.length).put(data);
            return block(2, body.array());
        }

        Blocks spb(int originalLength, byte[] data) {
            ByteBuffer body = ByteBuffer.allocate(4 + pad(data.length)).order(order);
            body.putInt(originalLength).put(data);
            return block(3, body.array());
        }

        Blocks block(int type, byte[] body) {
            int padded = pad(body.length);
            ByteBuffer b = ByteBuffer.allocate(12 + padded).order(order);
            b.putInt(type).putInt(12 + padded).put(body).position(8 + padded);
            b.putInt(12 + padded);
            out.writeBytes(b.array());
            return this;
        }

        Blocks raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private static int pad(int n) {
            return (n + 3) & ~3;
        }

        private static byte[] slice(ByteBuffer b) {
            byte[] a = new byte[b.position()];
            System.arraycopy(b.array(), 0, a, 0, a.length);
            return a;
        }
    }

    /** Bytes of a UDP frame built by the builder. */
    static byte[] udpFrame(int src, int srcPort, int dst, int dstPort, byte[] payload, int id) {
        MemorySegment s = MemorySegment.ofArray(new byte[UdpFrameBuilder.HEADERS + payload.length]);
        UdpFrameBuilder.writeHeaders(s, 0, src, srcPort, dst, dstPort, payload.length, id);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, UdpFrameBuilder.HEADERS, payload.length);
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
