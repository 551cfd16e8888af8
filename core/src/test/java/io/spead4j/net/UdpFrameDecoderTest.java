package io.spead4j.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** spead2's frame checks (common_raw_packet.cpp behind the fixed BPF filter), one reject reason at a time. */
class UdpFrameDecoderTest {
    private static final byte[] PAYLOAD = {0x53, 4, 3, 5, 0, 0, 0, 0, 9, 8, 7};
    private static final int SRC = 0xc0a80001;
    private static final int DST = 0xe0000101;
    private static final int IP = 14;

    private final UdpFrameDecoder udp = new UdpFrameDecoder();

    private static byte[] frame() {
        return Captures.udpFrame(SRC, 1234, DST, 7148, PAYLOAD, 42);
    }

    private FrameReject decode(byte[] frame) {
        return udp.decode(PcapFrame.LINKTYPE_ETHERNET, MemorySegment.ofArray(frame), 0, frame.length);
    }

    private FrameReject mutated(Consumer<ByteBuffer> change) {
        byte[] f = frame();
        change.accept(ByteBuffer.wrap(f));
        return decode(f);
    }

    @Test
    void decodesABuiltFrame() {
        byte[] f = frame();
        assertThat(decode(f)).isEqualTo(FrameReject.OK);
        assertThat(udp.status()).isEqualTo(FrameReject.OK);
        assertThat(udp.sourceAddress()).isEqualTo(SRC);
        assertThat(udp.destinationAddress()).isEqualTo(DST);
        assertThat(udp.sourcePort()).isEqualTo(1234);
        assertThat(udp.destinationPort()).isEqualTo(7148);
        assertThat(udp.payloadOffset()).isEqualTo(42);
        assertThat(udp.payload().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(PAYLOAD);
        // the IPv4 header checksum verifies: the sum over the header including it is 0xffff
        assertThat(UdpFrameBuilder.ipv4Checksum(MemorySegment.ofArray(f), IP, 20)).isZero();
        assertThat(f[IP + 6]).as("don't fragment").isEqualTo((byte) 0x40);
        assertThat(ByteBuffer.wrap(f).getShort(IP + 4)).as("identification").isEqualTo((short) 42);
    }

    @Test
    void ignoresEthernetPaddingAndHonoursIpOptions() {
        byte[] padded = Arrays.copyOf(frame(), 60);
        assertThat(decode(padded)).isEqualTo(FrameReject.OK);
        assertThat(udp.payloadLength()).isEqualTo(PAYLOAD.length);

        byte[] f = frame();
        byte[] withOption = new byte[f.length + 4];
        System.arraycopy(f, 0, withOption, 0, IP + 20);
        System.arraycopy(f, IP + 20, withOption, IP + 24, f.length - IP - 20);
        ByteBuffer b = ByteBuffer.wrap(withOption);
        b.put(IP, (byte) 0x46).putShort(IP + 2, (short) (b.getShort(IP + 2) + 4));
        assertThat(decode(withOption)).isEqualTo(FrameReject.OK);
        assertThat(udp.payloadOffset()).isEqualTo(46);
        assertThat(udp.payload().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(PAYLOAD);
    }

    @Test
    void decodesLinuxSllFrames() {
        byte[] f = frame();
        byte[] sll = new byte[f.length + 2];
        System.arraycopy(f, IP, sll, 16, f.length - IP);
        sll[14] = 0x08; // protocol type IPv4 in bytes 14-15
        assertThat(udp.decode(PcapFrame.LINKTYPE_LINUX_SLL, MemorySegment.ofArray(sll), 0, sll.length))
                .isEqualTo(FrameReject.OK);
        assertThat(udp.payload().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(PAYLOAD);
        assertThat(udp.sourceAddress()).isEqualTo(SRC);
        // an Ethernet frame read as SLL has its ethertype in the wrong place
        assertThat(udp.decode(PcapFrame.LINKTYPE_LINUX_SLL, MemorySegment.ofArray(f), 0, f.length))
                .isEqualTo(FrameReject.NOT_IPV4);
    }

    @Test
    void rejectsEveryMalformedFrameForItsReason() {
        assertThat(udp.decode(101, MemorySegment.ofArray(frame()), 0, frame().length))
                .isEqualTo(FrameReject.UNSUPPORTED_LINK_TYPE);
        assertThat(decode(Arrays.copyOf(frame(), IP + 19))).isEqualTo(FrameReject.TOO_SHORT);
        assertThat(mutated(b -> b.putShort(12, (short) 0x8100))).as("VLAN").isEqualTo(FrameReject.NOT_IPV4);
        assertThat(mutated(b -> b.putShort(12, (short) 0x86dd))).as("IPv6").isEqualTo(FrameReject.NOT_IPV4);
        assertThat(mutated(b -> b.put(IP + 9, (byte) 6))).as("TCP").isEqualTo(FrameReject.NOT_UDP);
        assertThat(mutated(b -> b.putShort(IP + 6, (short) 0x2000))).as("more fragments").isEqualTo(FrameReject.FRAGMENTED);
        assertThat(mutated(b -> b.putShort(IP + 6, (short) 0x0001))).as("offset").isEqualTo(FrameReject.FRAGMENTED);
        assertThat(mutated(b -> b.putShort(IP + 6, (short) 0x8000))).as("reserved flag is not masked").isEqualTo(FrameReject.OK);
        assertThat(mutated(b -> b.put(IP, (byte) 0x65))).isEqualTo(FrameReject.BAD_IP_VERSION);
        assertThat(mutated(b -> b.put(IP, (byte) 0x44))).isEqualTo(FrameReject.BAD_IP_HEADER_LENGTH);
        assertThat(mutated(b -> b.put(IP, (byte) 0x4f))).as("IHL beyond total length").isEqualTo(FrameReject.BAD_IP_TOTAL_LENGTH);
        assertThat(mutated(b -> b.putShort(IP + 2, (short) (b.limit() - IP + 1)))).isEqualTo(FrameReject.BAD_IP_TOTAL_LENGTH);
        assertThat(mutated(b -> b.putShort(IP + 2, (short) 19))).isEqualTo(FrameReject.BAD_IP_TOTAL_LENGTH);
        assertThat(mutated(b -> b.putShort(IP + 2, (short) 27))).isEqualTo(FrameReject.UDP_TOO_SHORT);
        assertThat(mutated(b -> b.putShort(IP + 24, (short) 7))).isEqualTo(FrameReject.BAD_UDP_LENGTH);
        assertThat(mutated(b -> b.putShort(IP + 24, (short) (8 + PAYLOAD.length + 1)))).isEqualTo(FrameReject.BAD_UDP_LENGTH);
        assertThat(mutated(b -> b.putShort(IP + 24, (short) 8))).as("empty payload").isEqualTo(FrameReject.OK);
        assertThat(udp.payloadLength()).isZero();

        PcapFrame truncated = new PcapFrame();
        byte[] f = frame();
        truncated.set(MemorySegment.ofArray(f), 0, f.length, f.length + 1, PcapFrame.LINKTYPE_ETHERNET, 0, 0);
        assertThat(udp.decode(truncated)).isEqualTo(FrameReject.TRUNCATED);
        assertThat(udp.status()).isEqualTo(FrameReject.TRUNCATED);
        // a captured length above the original one: only the original length counts, as in spead2
        PcapFrame longer = new PcapFrame();
        longer.set(MemorySegment.ofArray(java.util.Arrays.copyOf(f, f.length + 8)), 0, f.length + 8, f.length - 1,
                PcapFrame.LINKTYPE_ETHERNET, 0, 0);
        assertThat(udp.decode(longer)).isEqualTo(FrameReject.BAD_IP_TOTAL_LENGTH);
    }

    @Test
    void refusesLinkTypesSpead2Refuses() throws IOException {
        Captures.Sink sink = new Captures.Sink();
        try (PcapWriter writer = PcapWriter.create(sink.channel, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.NANOSECONDS,
                101, PcapWriter.DEFAULT_SNAPLEN)) {
            writer.writeFrame(MemorySegment.ofArray(Arrays.copyOfRange(frame(), IP, frame().length)), 5);
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2, MemorySegment.ofArray(PAYLOAD), 0))
                    .isInstanceOf(IllegalStateException.class);
        }
        try (PcapReader reader = Captures.open(sink.toByteArray())) {
            assertThat(reader.linkType()).isEqualTo(101);
            assertThatThrownBy(() -> UdpFrameDecoder.requireSupportedLinkType(reader.linkType()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pcap link type 101 is neither Ethernet (1) nor Linux SLL (113); only those are supported");
            PcapFrame frame = new PcapFrame();
            assertThat(reader.next(frame)).isTrue();
            assertThat(udp.decode(frame)).isEqualTo(FrameReject.UNSUPPORTED_LINK_TYPE);
        }
        UdpFrameDecoder.requireSupportedLinkType(1);
        UdpFrameDecoder.requireSupportedLinkType(113);
    }

    @Test
    void parsesAndFormatsAddresses() {
        assertThat(UdpFrameDecoder.parseAddress("127.0.0.1")).isEqualTo(0x7f000001);
        assertThat(UdpFrameDecoder.formatAddress(0xffffff00)).isEqualTo("255.255.255.0");
        assertThat(UdpFrameDecoder.formatAddress(UdpFrameDecoder.parseAddress("10.130.3.49"))).isEqualTo("10.130.3.49");
        for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "256.0.0.1", "a.b.c.d", "1..2.3", "-1.2.3.4", ""}) {
            assertThatThrownBy(() -> UdpFrameDecoder.parseAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IPv4 address");
        }
    }

    @Test
    void builderRefusesBadArguments() {
        MemorySegment s = MemorySegment.ofArray(new byte[100]);
        assertThatThrownBy(() -> UdpFrameBuilder.writeHeaders(s, 0, SRC, 65536, DST, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> UdpFrameBuilder.writeHeaders(s, 0, SRC, 1, DST, 1, UdpFrameBuilder.MAX_PAYLOAD + 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload");
    }
}
