package io.spead4j.net;

import io.spead4j.testing.Conformance;
import io.spead4j.wire.DecodeStatus;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import io.spead4j.wire.PacketHeader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The SKA-Low TPM capture of ../shared/realworld (pcapng from dumpcap, nanosecond timestamps). */
class RealWorldCaptureTest {
    private static final Path FILE = Conformance.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng");
    private static final int A = 48;
    /** Item ids in wire order; the README lists the same eight (with 0x2001/0x2002/0x2004 in id order). */
    private static final List<Long> IDS = List.of(0x0001L, 0x0004L, 0x1027L, 0x1600L, 0x2004L, 0x2002L, 0x2001L, 0x3300L);

    @Test
    void everyFrameIsReadAndItsSpeadHeaderDecoded() throws IOException {
        Map<String, Integer> perHost = new TreeMap<>();
        Map<Long, Integer> perCnt = new TreeMap<>();
        int frames = 0;
        int subMicrosecond = 0;
        UdpFrameDecoder udp = new UdpFrameDecoder();
        PacketDecoder decoder = new PacketDecoder();
        try (PcapReader reader = PcapReader.open(FILE)) {
            assertThat(reader.format()).isEqualTo(PcapReader.Format.PCAPNG);
            assertThat(reader.linkType()).isEqualTo(PcapFrame.LINKTYPE_ETHERNET);
            PcapFrame frame = new PcapFrame();
            while (reader.next(frame)) {
                if (frames == 0) {
                    assertThat(frame.timestampNanos()).isEqualTo(1_752_853_531_953_411_785L);
                }
                frames++;
                if (frame.timestampNanos() % 1000 != 0) {
                    subMicrosecond++;
                }
                assertThat(frame.interfaceId()).isZero();
                assertThat(frame.capturedLength()).isEqualTo(frame.originalLength()).isEqualTo(1138);
                assertThat(udp.decode(frame)).isEqualTo(FrameReject.OK);
                assertThat(udp.destinationPort()).isEqualTo(4660);
                assertThat(UdpFrameDecoder.formatAddress(udp.destinationAddress())).isEqualTo("10.132.61.11");
                perHost.merge(UdpFrameDecoder.formatAddress(udp.sourceAddress()), 1, Integer::sum);

                MemorySegment s = udp.segment();
                long p = udp.payloadOffset();
                assertThat(udp.payloadLength()).isEqualTo(1096);
                assertThat(PacketHeader.magicVersion(s, p)).isEqualTo(PacketHeader.MAGIC_VERSION);
                assertThat(PacketHeader.validHeapAddressBits(s, p)).isEqualTo(A);
                assertThat(PacketHeader.itemIdBytes(s, p)).isEqualTo(2);
                assertThat(PacketHeader.numItems(s, p)).isEqualTo(8);
                List<Long> ids = new ArrayList<>();
                List<Boolean> immediate = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    long pointer = s.get(PacketHeader.BE_LONG, p + PacketHeader.SIZE + 8L * i);
                    ids.add(ItemPointer.id(pointer, A));
                    immediate.add(ItemPointer.isImmediate(pointer));
                    if (i == 0) {
                        perCnt.merge(ItemPointer.value(pointer, A), 1, Integer::sum);
                    } else if (i == 1) {
                        assertThat(ItemPointer.value(pointer, A)).as("payload length").isEqualTo(1024);
                    } else if (i == 7) {
                        assertThat(ItemPointer.value(pointer, A)).as("data address").isZero();
                    }
                }
                assertThat(ids).isEqualTo(IDS);
                assertThat(immediate).containsExactly(true, true, true, true, true, true, true, false);
                // no PAYLOAD_OFFSET item: spead2 rejects the packet ("does not have required items")
                assertThat(decoder.decode(s, p, udp.payloadLength())).isZero();
                assertThat(decoder.status()).isEqualTo(DecodeStatus.MISSING_ITEMS);
            }
            assertThat(reader.truncated()).isFalse();
            assertThat(reader.sections()).isEqualTo(1);
        }
        assertThat(frames).isEqualTo(1024);
        assertThat(subMicrosecond).as("nanosecond timestamps").isEqualTo(1024);
        assertThat(perHost).hasSize(8).allSatisfy((host, n) -> assertThat(n).as(host).isEqualTo(128));
        assertThat(perHost.keySet()).allMatch(h -> h.startsWith("10.130.3."));
        assertThat(perCnt).as("16 packets share each heap cnt").hasSize(64)
                .allSatisfy((cnt, n) -> assertThat(n).isEqualTo(16));
    }

    @Test
    void filtersSelectBySourceHost() throws IOException {
        PacketFilter filter = PacketFilter.parse("udp port 4660 and (src host 10.130.3.49 or src host 10.130.3.51)");
        PacketFilter none = PacketFilter.parse("udp and not dst port 4660");
        int matched = 0;
        int unmatched = 0;
        UdpFrameDecoder udp = new UdpFrameDecoder();
        try (PcapReader reader = PcapReader.open(FILE)) {
            PcapFrame frame = new PcapFrame();
            while (reader.next(frame)) {
                assertThat(udp.decode(frame)).isEqualTo(FrameReject.OK);
                matched += filter.matches(udp) ? 1 : 0;
                unmatched += none.matches(udp) ? 1 : 0;
            }
        }
        assertThat(matched).isEqualTo(256);
        assertThat(unmatched).isZero();
    }
}
